// The small-body readers (readBody.ts, readJsonBody.ts, the login body) behind a real server: a body that
// stalls is answered 408 request_timeout (the stall limit is a parameter; a few ms here), an oversized
// one 413, and a whole one is read. Only outcomes are asserted, never how long anything took.
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CompanionError } from '../../main/common/errors';
import { readLoginBody } from '../../main/auth/login/loginBody';
import { readJsonBody } from '../../main/http/readJsonBody';

let server: http.Server | null = null;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = null;
});

async function serve(read: (req: http.IncomingMessage) => Promise<unknown>): Promise<number> {
  server = http.createServer((req, res) => {
    read(req).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body })),
      (err: unknown) => {
        const e = err instanceof CompanionError ? err : new CompanionError('internal', String(err));
        res.writeHead(e.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { type: e.code } }));
      },
    );
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

/** Sends the head and `sent` of a `declared`-byte body, then nothing; resolves with the status line and whether the socket closed. */
function stall(port: number, path: string, type: string, sent: string, declared: number): Promise<{ status: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${declared}\r\n\r\n${sent}`);
    });
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('close', () => resolve({ status: text.split('\r\n')[0] ?? '', closed: true }));
  });
}

describe('readBody stall timeout', () => {
  it('answers a stalled JSON body 408 request_timeout and closes the socket', async () => {
    const port = await serve((req) => readJsonBody(req, 1024, 20));
    const got = await stall(port, '/x', 'application/json', '{"api_', 100);
    expect(got.status).toBe('HTTP/1.1 408 Request Timeout');
    expect(got.closed).toBe(true);
  });

  it('does the same for the login form body', async () => {
    const port = await serve((req) => readLoginBody(req, 'form', 1024, 20));
    expect((await stall(port, '/auth/login', 'application/x-www-form-urlencoded', 'api_key=', 50)).status).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('still reads a whole body, and refuses an oversized one 413', async () => {
    const port = await serve((req) => readJsonBody(req, 16, 5_000));
    const ok = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{"a":1}' });
    expect(await ok.json()).toEqual({ body: { a: 1 } });
    const big = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify({ a: 'x'.repeat(100) }) });
    expect(big.status).toBe(413);
  });
});
