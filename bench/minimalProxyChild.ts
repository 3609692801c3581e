// Bench process: the simplest keep-alive Node proxy worth the name — a bearer check (constant time), undici's
// Pool and stream() to the upstream, hop-by-hop headers dropped — and nothing else (no Host/Origin rules, no
// quotas, no sharing rules, no timeouts, no error pages). The reference the hot-path issue set: the product's
// proxy, doing all its checks, should cost no more CPU per request than this.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual, hash } from 'node:crypto';
import { Pool } from 'undici';
import { serveParent } from './childProcess';
import { gcCommands } from './gcWatch';

const { upstream, adminKey } = JSON.parse(process.argv[2] ?? '{}') as { upstream: string; adminKey: string };
const pool = new Pool(upstream, { connections: 64 });
const upstreamHost = new URL(upstream).host;
const expected = hash('sha256', `Bearer ${adminKey}`, 'buffer');
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection']);

const server = http.createServer((req, res) => {
  if (!timingSafeEqual(hash('sha256', req.headers.authorization ?? '', 'buffer'), expected)) {
    res.writeHead(401).end();
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k) && k !== 'authorization') headers[k] = v;
  headers.host = upstreamHost;
  pool
    .stream({ path: req.url ?? '/', method: req.method as 'GET', headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, ({ statusCode, headers: up }) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(statusCode, out);
      return res;
    })
    .catch(() => res.destroy());
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveParent({ ready: () => ({ url: `http://127.0.0.1:${port}`, port, pid: process.pid }), ...gcCommands });
