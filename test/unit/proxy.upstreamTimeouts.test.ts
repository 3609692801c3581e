// The connect timeout of an upstream request (the integration tests cover the response-head and stall
// timeouts with real sockets; a connect that never completes cannot be produced on loopback, so here the
// request gets a socket that stays "connecting").
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeUpstreamFailure, UpstreamTimeoutError, watchUpstreamRequest } from '../../main/proxy/forward/upstreamTimeouts';

describe('watchUpstreamRequest', () => {
  it('destroys a request whose connection is not established within connectMs', async () => {
    const socket = new net.Socket();
    // A socket that never finishes connecting, like a SYN to a host that drops it.
    Object.defineProperty(socket, 'connecting', { value: true });
    const req = http.request({ host: '127.0.0.1', port: 9, createConnection: () => socket });
    watchUpstreamRequest(req, { connectMs: 50, responseMs: 60_000, stallMs: 60_000 });
    const err = await new Promise<Error>((resolve) => {
      req.on('error', resolve);
      req.end();
    });
    expect(err).toBeInstanceOf(UpstreamTimeoutError);
    expect((err as UpstreamTimeoutError).phase).toBe('connect');
    const failure = describeUpstreamFailure(err, 'http://gpu-box:8188');
    expect(failure.status).toBe(504);
    expect(failure.code).toBe('upstream_timeout');
    expect(failure.detail).toContain('did not accept a connection within 0.1 s');
  });
});
