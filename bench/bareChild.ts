// Bench process: a bare node:http server that answers every request itself with the body the fake ComfyUI
// gives for /system_stats (passed in the config). The floor for "CPU per request" in Node: no proxying, no checks.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent } from './childProcess';

const { body } = JSON.parse(process.argv[2] ?? '{}') as { body: string };
const bytes = Buffer.from(body);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
  res.end(bytes);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveParent({ ready: () => ({ url: `http://127.0.0.1:${port}`, port, pid: process.pid }) });
