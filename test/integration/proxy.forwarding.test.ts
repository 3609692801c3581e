// What the proxy forwards (SPEC §3): every method, streamed bodies with a flat heap, keep-alive reuse,
// client aborts, credentials stripped and the upstream key injected, WebSocket frames byte-identical,
// and clear 502s when ComfyUI is down.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { previewFrame } from '../fixtures/fakeComfy';
import { bigImageUpload } from '../helpers/bigUpload';
import { request } from '../helpers/http';
import { ADMIN_KEY, startHarness, type Harness } from '../helpers/proxyHarness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Msg = { data: Buffer; isBinary: boolean };
/** A client socket whose messages are queued from the start (the first one can arrive with the handshake). */
const inbox = new WeakMap<WebSocket, { queue: Msg[]; waiters: ((m: Msg) => void)[] }>();

function openWs(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const box = { queue: [] as Msg[], waiters: [] as ((m: Msg) => void)[] };
    inbox.set(ws, box);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const waiter = box.waiters.shift();
      if (waiter) waiter({ data, isBinary });
      else box.queue.push({ data, isBinary });
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

function nextMessage(ws: WebSocket): Promise<Msg> {
  const box = inbox.get(ws);
  if (!box) throw new Error('not opened with openWs');
  const queued = box.queue.shift();
  return queued ? Promise.resolve(queued) : new Promise((resolve) => box.waiters.push(resolve));
}

describe('HTTP forwarding', () => {
  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('forwards %s with its body', async (method) => {
    const body = method === 'GET' || method === 'OPTIONS' ? undefined : `payload for ${method}`;
    const res = await request(`${h.url}/__fake/echo`, { method, headers: { ...h.auth, origin: h.url }, body });
    expect(res.status).toBe(200);
    if (body) expect(res.text).toBe(body);
    const rec = await h.fake.nextRequest((r) => r.method === method && r.url === '/__fake/echo');
    expect(rec.bodyBytes).toBe(body ? Buffer.byteLength(body) : 0);
  });

  it('never forwards client credentials, and keeps the rest of the query byte for byte', async () => {
    const cookie = 'theme=dark; other=1';
    await request(`${h.url}/view?filename=a%20b.png&api_key=${ADMIN_KEY}&type=output&api_key=again`, {
      headers: { 'x-api-key': ADMIN_KEY, cookie },
    });
    const rec = await h.fake.nextRequest((r) => r.url.startsWith('/view'));
    expect(rec.url).toBe('/view?filename=a%20b.png&type=output');
    expect(rec.headers.authorization).toBeUndefined();
    expect(rec.headers['x-api-key']).toBeUndefined();
    expect(rec.headers.cookie).toBe(cookie);
    expect(JSON.stringify(rec.headers)).not.toContain(ADMIN_KEY);
  });

  it('rewrites Host and Origin to the upstream’s so ComfyUI’s own origin check passes', async () => {
    const res = await request(`${h.url}/prompt`, {
      method: 'POST',
      headers: { ...h.auth, origin: h.url, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: { '1': { class_type: 'X', inputs: {} } } }),
    });
    expect(res.status).toBe(200);
    const rec = await h.fake.nextRequest((r) => r.method === 'POST' && r.url === '/prompt');
    expect(rec.headers.host).toBe(`127.0.0.1:${h.fake.port}`);
    expect(rec.headers.origin).toBe(h.fake.url);
  });

  it('reuses keep-alive connections to the upstream', async () => {
    const before = h.fake.connectionsOpened;
    for (let i = 0; i < 30; i++) {
      const res = await request(`${h.url}/system_stats`, { headers: h.auth });
      expect(res.status).toBe(200);
    }
    expect(h.fake.connectionsOpened - before).toBeLessThanOrEqual(2);
  });

  it('cancels the upstream request when the client goes away', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${h.url}/__fake/slow?ms=10000`, { headers: h.auth, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    });
    const rec = await h.fake.nextRequest((r) => r.url.startsWith('/__fake/slow') && r.aborted);
    expect(rec.aborted).toBe(true);
  });

  it('streams a 100 MB upload to ComfyUI intact while the heap stays flat', async () => {
    const total = 100 * 1024 * 1024;
    const upload = bigImageUpload(total);
    global.gc?.();
    // Buffers live outside the JS heap: count their backing stores (arrayBuffers) with it.
    const held = (): number => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = held();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, held());
    }, 20);
    const res = await request(`${h.url}/upload/image`, {
      method: 'POST',
      headers: { ...h.auth, origin: h.url, 'content-type': upload.contentType },
      body: upload.body(),
    });
    clearInterval(sampler);
    expect(res.status).toBe(200);
    const stored = h.fake.uploads.find((u) => u.name === 'big.png');
    expect(stored?.bytes).toBe(total);
    expect(stored?.sha256).toBe(upload.digest());
    // Buffering the upload anywhere in this process (client, proxy or fake) would add ≥ 100 MB.
    expect(peak - baseline).toBeLessThan(48 * 1024 * 1024);
  });

  it('streams a large download through', async () => {
    const res = await request(`${h.url}/__fake/big?mb=8`, { headers: h.auth });
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(8 * 1024 * 1024);
  });
});

describe('upstream key', () => {
  let guarded: Harness;
  beforeAll(async () => {
    guarded = await startHarness({ requireKey: 'upstream-secret-key', upstreamKey: 'upstream-secret-key' });
  });
  afterAll(async () => {
    await guarded.close();
  });

  it('is injected as Authorization: Bearer on HTTP, replacing the client’s key', async () => {
    const res = await request(`${guarded.url}/queue`, { headers: guarded.auth });
    expect(res.status).toBe(200);
    const rec = await guarded.fake.nextRequest((r) => r.url === '/queue');
    expect(rec.headers.authorization).toBe('Bearer upstream-secret-key');
  });

  it('is injected on the WebSocket upgrade', async () => {
    const ws = await openWs(`ws://127.0.0.1:${guarded.port}/ws?clientId=guarded`, guarded.auth);
    const first = await nextMessage(ws);
    expect(JSON.parse(first.data.toString()).type).toBe('status');
    const upgrade = await guarded.fake.nextRequest((r) => r.upgrade && r.url.includes('guarded'));
    expect(upgrade.headers.authorization).toBe('Bearer upstream-secret-key');
    ws.close();
  });
});

describe('WebSocket relay', () => {
  const sockets: WebSocket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  it('relays the first status message, text both ways, and strips api_key from the upstream URL', async () => {
    const ws = await openWs(`ws://127.0.0.1:${h.port}/ws?clientId=c1&api_key=${ADMIN_KEY}`, {});
    sockets.push(ws);
    const first = await nextMessage(ws);
    expect(first.isBinary).toBe(false);
    expect(JSON.parse(first.data.toString())).toMatchObject({ type: 'status', data: { sid: 'c1' } });
    const upgrade = await h.fake.nextRequest((r) => r.upgrade && r.url.includes('c1'));
    expect(upgrade.url).toBe('/ws?clientId=c1');
    expect(upgrade.headers.origin === undefined || upgrade.headers.origin === h.fake.url).toBe(true);
    ws.send(JSON.stringify({ type: 'hello' }));
    await expect.poll(() => h.fake.wsClients().find((c) => c.clientId === 'c1')?.received.length ?? 0).toBeGreaterThan(0);
    expect(String(h.fake.wsClients().find((c) => c.clientId === 'c1')?.received[0])).toBe('{"type":"hello"}');
  });

  it('delivers a binary preview frame byte-identical', async () => {
    const ws = await openWs(`ws://127.0.0.1:${h.port}/ws?clientId=bin`, h.auth);
    sockets.push(ws);
    await nextMessage(ws);
    const image = randomBytes(300 * 1024);
    const got = nextMessage(ws);
    await h.fake.sendPreview(image, 2, 'bin');
    const msg = await got;
    expect(msg.isBinary).toBe(true);
    expect(Buffer.compare(msg.data, previewFrame(image, 2))).toBe(0);
  });

  it('passes many binary frames in order under backpressure', async () => {
    const ws = await openWs(`ws://127.0.0.1:${h.port}/ws?clientId=many`, h.auth);
    sockets.push(ws);
    await nextMessage(ws);
    const frames = Array.from({ length: 40 }, (_, i) => Buffer.alloc(256 * 1024, i));
    const sending = Promise.all(frames.map((f) => h.fake.sendPreview(f, 1, 'many')));
    const received: Buffer[] = [];
    while (received.length < frames.length) received.push((await nextMessage(ws)).data);
    await sending;
    received.forEach((d, i) => expect(d.subarray(8).equals(frames[i] as Buffer)).toBe(true));
  });
});

describe('upstream down', () => {
  let down: Harness;
  beforeAll(async () => {
    down = await startHarness();
    await down.fake.stop();
  });
  afterAll(async () => {
    await down.close();
  });

  it('answers API calls with 502 upstream_unavailable', async () => {
    const res = await request(`${down.url}/queue`, { headers: down.auth });
    expect(res.status).toBe(502);
    expect(res.json<{ error: { type: string } }>().error.type).toBe('upstream_unavailable');
  });

  it('answers a browser navigation with a readable page', async () => {
    const res = await request(`${down.url}/`, { headers: { ...down.auth, accept: 'text/html' } });
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).toContain('not reachable');
  });

  it('refuses the WebSocket with 502', async () => {
    await expect(openWs(`ws://127.0.0.1:${down.port}/ws`, down.auth)).rejects.toThrow('HTTP 502');
  });

  it('reports down (503) on /health, then ok once ComfyUI is back', async () => {
    const res = await request(`${down.url}/health`);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ status: 'down', upstream: { reachable: false } });
    await down.fake.restart();
    await expect
      .poll(async () => (await request(`${down.url}/health`)).status, { interval: 300 })
      .toBe(200);
    await down.fake.stop();
  });

  it('survives ComfyUI dying mid-response and keeps serving', async () => {
    await down.fake.restart();
    const pending = request(`${down.url}/__fake/slow?ms=5000`, { headers: down.auth }).catch((e: Error) => e);
    await down.fake.nextRequest((r) => r.url.startsWith('/__fake/slow'));
    await down.fake.stop();
    await pending;
    await down.fake.restart();
    const res = await request(`${down.url}/queue`, { headers: down.auth });
    expect(res.status).toBe(200);
    await down.fake.stop();
  });
});

describe('/health', () => {
  it('has the seed’s shape plus upstream and proxy, and no key material', async () => {
    const res = await request(`${h.url}/health`);
    expect(res.status).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      status: 'ok',
      queue: { pending: expect.any(Number), running: expect.any(Number) },
      device: { name: expect.any(String), type: expect.any(String) },
      vram: { total: expect.any(Number), free: expect.any(Number) },
      upstream: { url: h.fake.url, reachable: true, latency_ms: expect.any(Number) },
      proxy: { version: 'test', uptime_s: expect.any(Number) },
    });
    expect(res.text).not.toContain(ADMIN_KEY);
  });
});
