// What the proxy refuses (SPEC §2): foreign Host, cross-origin writes and WebSockets, missing or wrong
// keys, exempt routes that are really API routes, and malformed HTTP — without ever crashing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rawRequest, request } from '../helpers/http';
import { ADMIN_KEY, startHarness, type Harness } from '../helpers/proxyHarness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

function wsOpen(url: string, headers: Record<string, string> = {}): Promise<{ ok: true; ws: WebSocket } | { ok: false; status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => resolve({ ok: true, ws }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ ok: false, status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.on('error', () => undefined);
  });
}

describe('Host allow-list (DNS rebinding)', () => {
  it('refuses a request whose Host is a foreign name, even with a valid key', async () => {
    const res = await request(`${h.url}/system_stats`, { headers: { ...h.auth, host: `evil.example:${h.port}` } });
    expect(res.status).toBe(403);
    expect(res.json<{ error: { type: string } }>().error.type).toBe('forbidden');
    expect(h.fake.received.some((r) => r.url === '/system_stats')).toBe(false);
  });

  it('accepts a loopback Host with another port (an SSH tunnel or port forward, SPEC §2.1)', async () => {
    const res = await request(`${h.url}/system_stats`, { headers: { ...h.auth, host: `localhost:${h.port + 1}` } });
    expect(res.status).toBe(200);
  });

  it('accepts localhost and other loopback spellings with any port', async () => {
    for (const host of [`localhost:${h.port}`, `127.0.0.1:${h.port}`, `127.1.2.3:${h.port}`, 'localhost:9000', '[::1]:9000', 'localhost']) {
      const res = await request(`${h.url}/system_stats`, { headers: { ...h.auth, host } });
      expect(res.status, host).toBe(200);
    }
  });

  it('refuses a WebSocket upgrade with a foreign Host', async () => {
    const got = await wsOpen(`ws://127.0.0.1:${h.port}/ws`, { ...h.auth, host: 'attacker.test' });
    expect(got).toEqual({ ok: false, status: 403 });
  });
});

describe('Origin check (CSRF, cross-site WebSocket hijacking)', () => {
  it('refuses a cross-origin POST even with a valid key, and nothing reaches ComfyUI', async () => {
    const before = h.fake.received.filter((r) => r.method === 'POST').length;
    const res = await request(`${h.url}/prompt`, {
      method: 'POST',
      headers: { ...h.auth, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: {} }),
    });
    expect(res.status).toBe(403);
    expect(h.fake.received.filter((r) => r.method === 'POST').length).toBe(before);
  });

  it('refuses Origin: null', async () => {
    const res = await request(`${h.url}/interrupt`, { method: 'POST', headers: { ...h.auth, origin: 'null' } });
    expect(res.status).toBe(403);
  });

  it('accepts a POST from the proxy’s own origin', async () => {
    const res = await request(`${h.url}/interrupt`, { method: 'POST', headers: { ...h.auth, origin: h.url } });
    expect(res.status).toBe(200);
  });

  it('refuses a cross-origin WebSocket upgrade even with a valid key', async () => {
    const got = await wsOpen(`ws://127.0.0.1:${h.port}/ws?clientId=x`, { ...h.auth, origin: 'https://evil.example' });
    expect(got).toEqual({ ok: false, status: 403 });
  });
});

describe('authentication', () => {
  it('answers 401 with the error shape and WWW-Authenticate when no key is sent', async () => {
    const res = await request(`${h.url}/queue`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    const body = res.json<{ error: { type: string; message: string } }>();
    expect(body.error.type).toBe('unauthorized');
    expect(body.error.message.length).toBeGreaterThan(10);
  });

  it('answers 401 for a wrong key, also of the same length as the real one', async () => {
    const wrong = ADMIN_KEY.slice(0, -1) + (ADMIN_KEY.endsWith('f') ? 'e' : 'f');
    const res = await request(`${h.url}/queue`, { headers: { authorization: `Bearer ${wrong}` } });
    expect(res.status).toBe(401);
  });

  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${ADMIN_KEY}` }, ''],
    ['lower-case bearer scheme', { authorization: `bearer ${ADMIN_KEY}` }, ''],
    ['X-API-Key', { 'x-api-key': ADMIN_KEY }, ''],
    ['?api_key=', {}, `?api_key=${ADMIN_KEY}`],
  ])('accepts the key sent as %s', async (_name, headers, query) => {
    const res = await request(`${h.url}/queue${query}`, { headers });
    expect(res.status).toBe(200);
  });

  it('does not accept another Authorization scheme as a key', async () => {
    const res = await request(`${h.url}/queue`, { headers: { authorization: `Basic ${ADMIN_KEY}` } });
    expect(res.status).toBe(401);
  });

  it('redirects a browser navigation to the login page with a same-origin next', async () => {
    const res = await request(`${h.url}/?tab=queue`, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`/auth_login.html?next=${encodeURIComponent('/?tab=queue')}`);
  });

  it('answers a fetch (not a navigation) with 401 JSON, not a redirect', async () => {
    const res = await request(`${h.url}/`, { headers: { accept: 'text/html', 'sec-fetch-mode': 'cors' } });
    expect(res.status).toBe(401);
  });

  it('requires a key for the WebSocket', async () => {
    const got = await wsOpen(`ws://127.0.0.1:${h.port}/ws?clientId=anon`);
    expect(got).toEqual({ ok: false, status: 401 });
    const ok = await wsOpen(`ws://127.0.0.1:${h.port}/ws?clientId=keyed`, h.auth);
    expect(ok.ok).toBe(true);
    if (ok.ok) ok.ws.close();
  });
});

describe('exempt routes', () => {
  it.each(['/fake-app.js', '/health', '/extensions/core/app.js', '/templates/x.json', '/assets/logo.png'])(
    'GET %s needs no key',
    async (path) => {
      const res = await request(`${h.url}${path}`);
      expect(res.status).not.toBe(401);
    },
  );

  it.each([
    '/api/object_info.json',
    '/view?filename=example.png',
    '/view.png',
    '/history/abc.json',
    '/userdata/workflow.json',
    '/system_stats.js',
    '/upload/image.png',
    '/internal/logs.json',
    '/api%2Fprompt.js',
    '//api/queue.json',
    '/index.html',
    '/',
  ])('GET %s is an API route or the UI page and needs a key', async (path) => {
    const res = await request(`${h.url}${path}`);
    expect(res.status).toBe(401);
  });

  it('a POST to a static-looking path still needs a key', async () => {
    const res = await request(`${h.url}/extensions/x.js`, { method: 'POST', headers: { origin: h.url } });
    expect(res.status).toBe(401);
  });
});

describe('malformed requests get 400 and the proxy keeps serving', () => {
  it('Content-Length together with Transfer-Encoding', async () => {
    const out = await rawRequest(
      h.port,
      `POST /prompt HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    );
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(out).toContain('"invalid_request"');
  });

  it('oversized headers', async () => {
    const big = 'x'.repeat(40 * 1024);
    const out = await rawRequest(h.port, `GET /queue HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nX-Big: ${big}\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
    expect(out).toContain('too large');
  });

  it('a header line without a colon, and garbage', async () => {
    expect(await rawRequest(h.port, `GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawRequest(h.port, `\x00\x01\x02 nonsense\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
  });

  it('an absolute-form request target', async () => {
    const out = await rawRequest(h.port, `GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nConnection: close\r\n\r\n`);
    expect(out).toMatch(/^HTTP\/1\.1 400/);
  });

  it('a client that drops mid-request leaves the proxy serving', async () => {
    await rawRequest(h.port, `POST /prompt HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Length: 1000\r\n\r\n{"pro`, 200);
    const res = await request(`${h.url}/queue`, { headers: h.auth });
    expect(res.status).toBe(200);
  });
});
