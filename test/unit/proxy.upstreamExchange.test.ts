// The proxy's own small exchanges with ComfyUI (queue, history, prompt): an answer whose head arrives but whose
// body stalls is cut by the response timeout instead of holding the request (and its lane slot) forever.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../main/common/errors';
import { exchange } from '../../main/proxy/forward/upstreamExchange';
import { createUpstreamTarget } from '../../main/proxy/forward/upstreamTarget';

let server: http.Server;
let url = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    if (req.url === '/whole') res.end(`"${'x'.repeat(998)}"`);
    else res.write('{"half":'); // and nothing more
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('exchange', () => {
  it('a body that stalls after the head is an upstream_timeout', async () => {
    const err = await exchange(createUpstreamTarget(url), { method: 'GET', path: '/stall', headers: {}, responseTimeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompanionError);
    expect((err as CompanionError).code).toBe('upstream_timeout');
  });

  it('a whole answer is read as before', async () => {
    const got = await exchange(createUpstreamTarget(url), { method: 'GET', path: '/whole', headers: {}, responseTimeoutMs: 5_000 });
    expect(got.status).toBe(200);
    expect(got.body.length).toBe(1000);
  });
});
