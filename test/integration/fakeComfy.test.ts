// The fake ComfyUI upstream itself: real sockets, ComfyUI's shapes, its Origin rule, WebSocket routing and lifecycle.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request, Agent, type IncomingHttpHeaders } from 'node:http';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { MultipartScanner } from '../fixtures/fakeComfyMultipart';
import { labels, openSocket } from '../fixtures/fakeComfyClient';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function raw(fake: FakeComfy, path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: Agent } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: fake.port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

function openWs(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: (string | Buffer)[]; next: () => Promise<string | Buffer> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: (string | Buffer)[] = [];
    const waiting: ((m: string | Buffer) => void)[] = [];
    let read = 0;
    ws.on('message', (data, isBinary) => {
      const m = isBinary ? (data as Buffer) : (data as Buffer).toString('utf8');
      messages.push(m);
      waiting.shift()?.(m);
    });
    const next = (): Promise<string | Buffer> => {
      const m = messages[read];
      if (m !== undefined) {
        read += 1;
        return Promise.resolve(m);
      }
      return new Promise((r) => waiting.push((x) => { read += 1; r(x); }));
    };
    ws.on('open', () => resolve({ ws, messages, next }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

let fake: FakeComfy;
beforeEach(async () => {
  fake = await startFakeComfy();
});
afterEach(async () => {
  await fake.close();
});

describe('fake ComfyUI HTTP routes', () => {
  it('answers /system_stats in ComfyUI shape, also under /api, and follows setStats', async () => {
    const a = (await (await fetch(`${fake.url}/system_stats`)).json()) as { system: { comfyui_version: string }; devices: { vram_free: number; name: string }[] };
    expect(a.system.comfyui_version).toBe('0.3.40');
    expect(Object.keys(a.devices[0] ?? {}).sort()).toEqual(['index', 'name', 'torch_vram_free', 'torch_vram_total', 'type', 'vram_free', 'vram_total']);
    fake.setStats({ vramFree: 12345, deviceName: 'cpu' });
    const b = (await (await fetch(`${fake.url}/api/system_stats`)).json()) as typeof a;
    expect(b.devices[0]).toMatchObject({ vram_free: 12345, name: 'cpu' });
  });

  it('queues a prompt, runs it into history, and serves its output as a real PNG', async () => {
    const posted = await fetch(`${fake.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: { '9': { class_type: 'SaveImage', inputs: {} } }, client_id: 'c1', extra_data: { x: 1 } }) });
    const { prompt_id, number, node_errors } = (await posted.json()) as { prompt_id: string; number: number; node_errors: object };
    expect(node_errors).toEqual({});
    const queue = (await (await fetch(`${fake.url}/queue`)).json()) as { queue_pending: unknown[][]; queue_running: unknown[] };
    expect(queue.queue_pending).toEqual([[number, prompt_id, { '9': { class_type: 'SaveImage', inputs: {} } }, { x: 1, client_id: 'c1' }, ['9']]]);
    expect(await (await fetch(`${fake.url}/prompt`)).json()).toEqual({ exec_info: { queue_remaining: 1 } });

    await fake.runFakeJob(prompt_id, undefined, 3);
    const history = (await (await fetch(`${fake.url}/history/${prompt_id}`)).json()) as Record<string, { outputs: Record<string, { images: { filename: string }[] }> }>;
    const filename = history[prompt_id]?.outputs['9']?.images[0]?.filename ?? '';
    expect(filename).toMatch(/\.png$/);
    const view = await fetch(`${fake.url}/view?filename=${encodeURIComponent(filename)}&type=output&subfolder=`);
    expect(view.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await view.arrayBuffer());
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect((await fetch(`${fake.url}/view?filename=nope.png&type=output`)).status).toBe(404);
    expect(await (await fetch(`${fake.url}/prompt`)).json()).toEqual({ exec_info: { queue_remaining: 0 } });
  });

  it('answers a body that is not JSON with aiohttp\'s 500 (request.json() raises) and a missing prompt with a 400', async () => {
    const bad = await fetch(`${fake.url}/prompt`, { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toContain('500 Internal Server Error');
    const missing = await fetch(`${fake.url}/api/prompt`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { type: 'no_prompt' }, node_errors: {} });
  });

  it('hashes an uploaded image part without the multipart framing', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    const form = new FormData();
    form.append('image', new Blob([bytes], { type: 'image/png' }), 'cat.png');
    form.append('subfolder', 'pets');
    const res = await fetch(`${fake.url}/upload/image`, { method: 'POST', body: form });
    expect(await res.json()).toEqual({ name: 'cat.png', subfolder: 'pets', type: 'input' });
    expect(fake.uploads[0]).toMatchObject({ bytes: 300_000, sha256: createHash('sha256').update(bytes).digest('hex') });
    const rec = await fake.nextRequest((r) => r.url === '/upload/image');
    expect(rec.bodyBytes).toBeGreaterThan(300_000);
    expect(rec.bodyText).toBeUndefined();
  });

  it('serves the web shell, its script, and a CSP variant', async () => {
    const page = await fetch(`${fake.url}/`);
    expect(await page.text()).toContain('<title>Fake ComfyUI</title>');
    expect(page.headers.get('content-security-policy')).toBeNull();
    expect(await (await fetch(`${fake.url}/fake-app.js`)).text()).toContain("'/ws?clientId='");
    expect((await fetch(`${fake.url}/fake-app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const csp = await fetch(`${fake.url}/csp/index.html`);
    expect(csp.headers.get('content-security-policy')).toBe("default-src 'self'; script-src 'self'");
  });

  it('echoes a streamed body with its size and hash, and streams a large download', async () => {
    const body = Buffer.alloc(1_000_000, 3);
    const echoed = await raw(fake, '/__fake/echo?discard=1', { method: 'PUT', body });
    expect(echoed.headers['x-fake-body-bytes']).toBe('1000000');
    const streamed = await raw(fake, '/__fake/echo', { method: 'POST', body });
    expect(streamed.body.equals(body)).toBe(true);
    const big = await raw(fake, '/__fake/big?mb=2');
    expect(big.body.length).toBe(2 * 1024 * 1024);
  });

  it('records a client that walks away from a slow response as aborted', async () => {
    const req = request({ host: '127.0.0.1', port: fake.port, path: '/__fake/slow?ms=10000' }, (res) => res.once('data', () => req.destroy()));
    req.on('error', () => undefined);
    req.end();
    const rec = await fake.nextRequest((r) => r.url.startsWith('/__fake/slow') && r.aborted);
    expect(rec.aborted).toBe(true);
  });

  it('keeps connections alive so a client can reuse one', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 3; i++) expect((await raw(fake, '/queue', { agent })).status).toBe(200);
    agent.destroy();
    expect(fake.connectionsOpened).toBe(1);
  });
});

describe('fake ComfyUI origin rule and api key', () => {
  it('answers 403 when a loopback Host and the Origin disagree, and lets matching or non-loopback pairs through', async () => {
    const host = `127.0.0.1:${fake.port}`;
    expect((await raw(fake, '/queue', { headers: { host, origin: 'http://evil.example' } })).status).toBe(403);
    expect((await raw(fake, '/prompt', { method: 'POST', headers: { host, origin: 'http://127.0.0.1:1' }, body: '{}' })).status).toBe(403);
    expect((await raw(fake, '/queue', { headers: { host, origin: `http://${host}` } })).status).toBe(200);
    expect((await raw(fake, '/queue', { headers: { host: 'comfy.lan:8188', origin: 'http://evil.example' } })).status).toBe(200);
    expect((await raw(fake, '/queue', { headers: { host } })).status).toBe(200);
    await expect(openWs(`ws://127.0.0.1:${fake.port}/ws`, { origin: 'http://evil.example' })).rejects.toThrow('status 403');
  });

  it('demands the upstream key on API routes and the WebSocket when requireKey is set', async () => {
    fake.requireKey = 'up-secret';
    expect((await fetch(`${fake.url}/system_stats`)).status).toBe(401);
    expect((await fetch(`${fake.url}/system_stats`, { headers: { authorization: 'Bearer up-secret' } })).status).toBe(200);
    expect((await fetch(`${fake.url}/`)).status).toBe(200);
    await expect(openWs(`ws://127.0.0.1:${fake.port}/ws`)).rejects.toThrow('status 401');
    const ok = await openWs(`ws://127.0.0.1:${fake.port}/ws`, { authorization: 'Bearer up-secret' });
    ok.ws.close();
  });
});

describe('fake ComfyUI WebSocket', () => {
  it('greets with status and sid, routes job messages to the prompt client only, and sends preview frames', async () => {
    const a = await openSocket(`ws://127.0.0.1:${fake.port}/ws?clientId=alice`);
    const b = await openSocket(`ws://127.0.0.1:${fake.port}/api/ws?clientId=bob`);
    expect(await a.waitFor(() => true)).toEqual({ kind: 'json', msg: { type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'alice' } } });
    expect((await b.waitForType('status')).data.sid).toBe('bob');

    await fake.runFakeJob('p1', 'alice', 2, { previews: true });
    await a.waitForType('executing', 'p1').then(() => a.waitFor((f) => f.kind === 'json' && f.msg.type === 'executing' && f.msg.data.node === null));
    await fake.sendPreview(Buffer.from([9, 8, 7]), 1, 'bob');
    const preview = await b.waitFor((f) => f.kind === 'binary');
    expect(preview.kind === 'binary' && [...preview.bytes]).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 9, 8, 7]);
    // bob saw only queue status broadcasts (queued, taken, done) before the frame sent to him
    expect(labels(b.frames)).toEqual(['status', 'status', 'status', 'status', 'binary:1']);
    expect(labels(a.frames)).toEqual([
      'status', 'status', 'status', 'execution_start', 'execution_cached', 'progress_state', 'executing',
      'progress_state', 'progress', 'binary:1', 'progress_state', 'progress', 'binary:1', 'progress_state',
      'progress_state', 'executing', 'executed', 'progress_state', 'execution_success', 'status', 'executing',
    ]);

    a.ws.send('hello');
    a.ws.send(Buffer.from([1, 2]));
    // A ping is answered only after the frames before it were handled, so the record is complete at the pong.
    a.ws.ping();
    await once(a.ws, 'pong');
    expect(fake.wsClients().find((c) => c.clientId === 'alice')?.received).toEqual(['hello', Buffer.from([1, 2])]);
    expect(fake.received.filter((r) => r.upgrade).map((r) => r.url)).toEqual(['/ws?clientId=alice', '/api/ws?clientId=bob']);
    await a.close();
    await b.close();
  });

  it('stops with connections reset and restarts on the same port', async () => {
    const port = fake.port;
    const c = await openWs(`ws://127.0.0.1:${port}/ws`);
    const closed = new Promise((r) => c.ws.on('close', r));
    await fake.stop();
    await closed;
    await expect(fetch(`${fake.url}/queue`)).rejects.toThrow();
    await fake.restart();
    expect(fake.port).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/queue`)).status).toBe(200);
  });
});

describe('fake ComfyUI upload scanner', () => {
  it('finds the image part even when every byte arrives in its own chunk', () => {
    const body = Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n' +
        'ab\r\n--XyNOT-A-BOUNDARY\r\ncd' +
        '\r\n--XyZ\r\nContent-Disposition: form-data; name="type"\r\n\r\ntemp\r\n--XyZ--\r\n',
    );
    const scanner = new MultipartScanner('XyZ');
    for (const byte of body) scanner.write(Buffer.from([byte]));
    expect(scanner.complete).toBe(true);
    const content = Buffer.from('ab\r\n--XyNOT-A-BOUNDARY\r\ncd');
    expect(scanner.parts).toEqual([
      { name: 'image', filename: 'a.png', contentType: 'image/png', bytes: content.length, sha256: createHash('sha256').update(content).digest('hex'), value: null },
      { name: 'type', filename: null, contentType: null, bytes: 4, sha256: createHash('sha256').update('temp').digest('hex'), value: 'temp' },
    ]);
  });
});
