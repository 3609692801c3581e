// How people arrive (SPEC §2.1–2.2, §8.0): through a TCP port forward on another local port (what
// `ssh -L 9000:127.0.0.1:8189 gpu-box` gives them), the web UI's login, API calls, POSTs and the WebSocket all
// work, while foreign Hosts and cross-origin requests are still refused; a tunnel that presents another host
// name (Tailscale serve) works once that name is in allowedHosts, and only then.
import type { OutgoingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { sessionCookie } from './login.helpers';
import { barrier, forwardedPrompt, openWs, portForward, startSharing, workflow, wsRefusal, type Err, type TestKey } from './sharing.helpers';

const TAILNET = 'gpu-box.tailnet-1234.ts.net';
let h: Harness;
let keys: Record<'alice' | 'bob', TestKey>;
let fwd: { port: number; close(): Promise<void> };
let tunnelHost: string;
let tunnelOrigin: string;

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: {}, bob: {} }));
  fwd = await portForward(h.port);
  tunnelHost = `localhost:${fwd.port}`;
  tunnelOrigin = `http://${tunnelHost}`;
});
afterAll(async () => {
  await fwd.close();
  await h.close();
});

/** A request through the forward, as the browser on the far end of the tunnel sends it. */
function viaTunnel(path: string, options: { method?: string; headers?: OutgoingHttpHeaders; body?: string } = {}) {
  return request(`http://127.0.0.1:${fwd.port}${path}`, { ...options, headers: { host: tunnelHost, ...options.headers } });
}

describe('through a port forward on another local port', () => {
  let cookie = '';

  it('the web UI sends a browser to the login page, whose address stays on the tunnel (a relative redirect)', async () => {
    const res = await viaTunnel('/', { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/auth_login.html?next=%2F');
    const page = await viaTunnel('/auth_login.html?next=%2F', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('action="/auth/login"');
  });

  it('logs in with the page origin the tunnel presents', async () => {
    const res = await viaTunnel('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: tunnelOrigin },
      body: JSON.stringify({ api_key: keys.alice.secret, remember: false }),
    });
    expect(res.status).toBe(200);
    cookie = sessionCookie(res) ?? '';
    expect(cookie).not.toBe('');
  });

  it('the logged-in browser loads the UI and reads the API through the tunnel', async () => {
    const ui = await viaTunnel('/', { headers: { cookie: `cac_session=${cookie}`, accept: 'text/html' } });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('<html');
    for (const path of ['/api/system_stats', '/api/queue', '/api/history', '/api/object_info']) {
      const res = await viaTunnel(path, { headers: { cookie: `cac_session=${cookie}` } });
      expect(res.status, path).toBe(200);
    }
  });

  it('queues a job with the session (same-origin POST) and the WebSocket brings its messages', async () => {
    const ws = await openWs(h, { port: fwd.port, headers: { host: tunnelHost, origin: tunnelOrigin, cookie: `cac_session=${cookie}` } });
    const res = await viaTunnel('/api/prompt', {
      method: 'POST',
      headers: { cookie: `cac_session=${cookie}`, origin: tunnelOrigin, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow(), client_id: ws.clientId }),
    });
    expect(res.status).toBe(200);
    const id = res.json<{ prompt_id: string }>().prompt_id;
    expect(forwardedPrompt(h, id).client_id).toBe(ws.clientId);
    await h.fake.runFakeJob(id, undefined, 2);
    const done = await ws.waitFor((m) => m.type === 'execution_success' && m.data.prompt_id === id);
    expect(done.data.prompt_id).toBe(id);
    // The job is Alice's: her key sees it in /history, Bob's does not.
    const mine = await viaTunnel(`/api/history/${id}`, { headers: { authorization: `Bearer ${keys.alice.secret}` } });
    expect(Object.keys(mine.json<Record<string, unknown>>())).toEqual([id]);
    const his = await viaTunnel(`/api/history/${id}`, { headers: { authorization: `Bearer ${keys.bob.secret}` } });
    expect(his.json()).toEqual({});
    await ws.close();
  });

  it('scripts use their key in a header through the tunnel, without any Origin', async () => {
    const res = await viaTunnel('/prompt', {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.bob.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow() }),
    });
    expect(res.status).toBe(200);
    const ws = await openWs(h, { port: fwd.port, headers: { host: tunnelHost, authorization: `Bearer ${keys.bob.secret}` } });
    await barrier(h, [ws]);
    await ws.close();
  });

  it('refuses a foreign Host arriving through the tunnel (DNS rebinding), for HTTP and the WebSocket', async () => {
    const before = h.fake.received.length;
    const res = await viaTunnel('/api/queue', { headers: { host: `evil.example:${fwd.port}`, authorization: `Bearer ${keys.alice.secret}` } });
    expect(res.status).toBe(403);
    expect(res.json<Err>().error.message).toMatch(/Host "evil\.example:\d+" is not allowed/);
    const ws = await wsRefusal(h, { port: fwd.port, headers: { host: `evil.example:${fwd.port}`, authorization: `Bearer ${keys.alice.secret}` } });
    expect(ws.status).toBe(403);
    expect(h.fake.received.length).toBe(before);
  });

  it('refuses a cross-origin POST and WebSocket, including the proxy’s own port seen from the tunnel', async () => {
    const before = h.fake.received.length;
    for (const origin of ['http://evil.example', `http://localhost:${h.port}`, 'null']) {
      const res = await viaTunnel('/api/prompt', {
        method: 'POST',
        headers: { cookie: `cac_session=${cookie}`, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: workflow() }),
      });
      expect(res.status, origin).toBe(403);
      const ws = await wsRefusal(h, { port: fwd.port, headers: { host: tunnelHost, origin, cookie: `cac_session=${cookie}` } });
      expect(ws.status, origin).toBe(403);
    }
    // A login from another site is refused too (it would plant a session).
    const login = await viaTunnel('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ api_key: keys.alice.secret }),
    });
    expect(login.status).toBe(403);
    expect(h.fake.received.length).toBe(before);
  });

  it('a host name a tunnel presents is refused until it is allowed', async () => {
    const res = await viaTunnel('/api/queue', { headers: { host: TAILNET, authorization: `Bearer ${keys.alice.secret}` } });
    expect(res.status).toBe(403);
    expect(res.json<Err>().error.message).toContain('add the name to allowed hosts');
  });
});

describe('a tunnel that presents another host name (Tailscale serve), with allowedHosts', () => {
  let t: Harness;
  let key: TestKey;
  // Tailscale serve terminates TLS and keeps the browser's Host (r.Out.Host = r.In.Host).
  const tls = { host: TAILNET, origin: `https://${TAILNET}` };

  beforeAll(async () => {
    const started = await startSharing({ carol: {} }, { allowedHosts: () => [TAILNET] });
    t = started.h;
    key = started.keys.carol;
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs in from the https page origin and uses the session for API calls, POSTs and the WebSocket', async () => {
    const login = await request(`${t.url}/auth/login`, {
      method: 'POST',
      headers: { ...tls, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: key.secret }),
    });
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login) ?? '';
    const queue = await request(`${t.url}/api/queue`, { headers: { host: TAILNET, cookie: `cac_session=${cookie}` } });
    expect(queue.status).toBe(200);
    const post = await request(`${t.url}/api/prompt`, {
      method: 'POST',
      headers: { ...tls, cookie: `cac_session=${cookie}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow() }),
    });
    expect(post.status).toBe(200);
    const ws = await openWs(t, { headers: { ...tls, cookie: `cac_session=${cookie}` } });
    await ws.close();
  });

  it('still refuses other names and other origins', async () => {
    const other = await request(`${t.url}/api/queue`, { headers: { host: 'other.tailnet-1234.ts.net', ...key.auth } });
    expect(other.status).toBe(403);
    const cross = await request(`${t.url}/api/prompt`, {
      method: 'POST',
      headers: { host: TAILNET, origin: 'https://evil.example', ...key.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow() }),
    });
    expect(cross.status).toBe(403);
    // An https page cannot pose as a loopback origin: only allowed hosts get the https:// twin.
    const loop = await request(`${t.url}/api/prompt`, {
      method: 'POST',
      headers: { host: `localhost:${t.port}`, origin: `https://localhost:${t.port}`, ...key.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow() }),
    });
    expect(loop.status).toBe(403);
  });
});
