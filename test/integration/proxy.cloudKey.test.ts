// Comfy Cloud key injection (SPEC §3): queued prompts get extra_data.api_key_comfy_org, other bodies pass
// untouched, Content-Length stays right, and the key never comes back out through the proxy.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';
import { PROMPT_BODY_CAP_BYTES } from '../../main/proxy/sharing/promptSubmission';

const CLOUD_KEY = 'comfyui-test0cloud1key2abcdefghijklmnop';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ cloudKey: CLOUD_KEY });
});
afterAll(async () => {
  await h.close();
});

async function post(path: string, body: string | Buffer, contentType = 'application/json') {
  return request(`${h.url}${path}`, { method: 'POST', headers: { ...h.auth, origin: h.url, 'content-type': contentType }, body });
}

describe('cloud key injection into prompts', () => {
  it.each(['/prompt', '/api/prompt'])('POST %s gets extra_data.api_key_comfy_org and a right Content-Length', async (path) => {
    const res = await post(path, JSON.stringify({ prompt: { '1': { class_type: 'A', inputs: {} } }, client_id: 'c', extra_data: { extra_pnginfo: { a: 1 } } }));
    expect(res.status).toBe(200);
    const rec = await h.fake.nextRequest((r) => r.method === 'POST' && r.url === path);
    const sent = JSON.parse(rec.bodyText ?? '{}');
    expect(sent.extra_data).toEqual({ extra_pnginfo: { a: 1 }, api_key_comfy_org: CLOUD_KEY });
    expect(Number(rec.headers['content-length'])).toBe(rec.bodyBytes);
    expect(res.text).not.toContain(CLOUD_KEY);
  });

  it('keeps a key the client chose itself', async () => {
    await post('/prompt', JSON.stringify({ prompt: {}, extra_data: { api_key_comfy_org: 'comfyui-clients-own' } }));
    const rec = await h.fake.nextRequest((r) => r.method === 'POST' && (r.bodyText ?? '').includes('clients-own'));
    expect(JSON.parse(rec.bodyText ?? '{}').extra_data.api_key_comfy_org).toBe('comfyui-clients-own');
  });

  it('refuses a prompt that is not JSON with 400, and forwards nothing', async () => {
    const before = h.fake.received.filter((r) => r.method === 'POST').length;
    const res = await post('/prompt', '{"prompt": not json');
    expect(res.status).toBe(400);
    expect(res.json<{ error: { type: string } }>().error.type).toBe('invalid_request');
    expect(h.fake.received.filter((r) => r.method === 'POST').length).toBe(before);
  });

  it('injects into a large workflow (5 MiB) and refuses one over the prompt cap with 413', async () => {
    const big = Buffer.from(JSON.stringify({ prompt: {}, note: 'x'.repeat(5 * 1024 * 1024) }));
    expect((await post('/prompt', big)).status).toBe(200);
    await h.fake.nextRequest((r) => r.method === 'POST' && r.url === '/prompt' && r.bodyBytes > big.length);
    const queued = [...h.fake.state.pending, ...h.fake.state.running].find((item) => JSON.stringify(item[2]).length === 2 && item[3].api_key_comfy_org === CLOUD_KEY);
    expect(queued).toBeDefined();
    const huge = Buffer.from(JSON.stringify({ prompt: {}, note: 'x'.repeat(PROMPT_BODY_CAP_BYTES) }));
    const refused = await post('/prompt', huge);
    expect(refused.status).toBe(413);
    expect(createHash('sha256').update(huge).digest('hex')).toHaveLength(64);
  });

  it('does not touch other routes', async () => {
    const body = JSON.stringify({ prompt: {} });
    await post('/__fake/echo', body);
    const rec = await h.fake.nextRequest((r) => r.url === '/__fake/echo' && r.bodyText === body);
    expect(rec.bodyText).not.toContain(CLOUD_KEY);
  });
});

describe('the cloud key never comes back out', () => {
  it('is redacted from /queue and /history relayed through the proxy', async () => {
    const queued = await post('/prompt', JSON.stringify({ prompt: { '1': { class_type: 'A', inputs: {} } } }));
    const { prompt_id } = queued.json<{ prompt_id: string }>();
    const queue = await request(`${h.url}/queue`, { headers: h.auth });
    expect(queue.status).toBe(200);
    expect(queue.text).toContain(prompt_id);
    expect(queue.text).not.toContain(CLOUD_KEY);
    // The fake really stores it: the redaction is the proxy's doing.
    const direct = await request(`${h.fake.url}/queue`);
    expect(direct.text).toContain(CLOUD_KEY);
    expect(() => JSON.parse(queue.text)).not.toThrow();
    await h.fake.runFakeJob(prompt_id, undefined, 1);
    const history = await request(`${h.url}/history/${prompt_id}`, { headers: h.auth });
    expect(history.text).toContain(prompt_id);
    expect(history.text).not.toContain(CLOUD_KEY);
  });

  it('is redacted even when it straddles two response chunks', async () => {
    const { replaceAllStream } = await import('../../main/proxy/forward/bodyTransforms');
    const t = replaceAllStream(Buffer.from(CLOUD_KEY), Buffer.from('[redacted]'));
    const out: Buffer[] = [];
    t.on('data', (c: Buffer) => out.push(c));
    const text = `{"a":"${CLOUD_KEY}","b":"${CLOUD_KEY}"}`;
    for (let i = 0; i < text.length; i += 7) t.write(Buffer.from(text.slice(i, i + 7)));
    await new Promise<void>((resolve) => t.end(resolve));
    expect(Buffer.concat(out).toString()).toBe('{"a":"[redacted]","b":"[redacted]"}');
  });

  it('is not in WebSocket traffic relayed to clients', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws?clientId=cloudws`, { headers: h.auth });
    const seen: string[] = [];
    ws.on('message', (d: Buffer) => seen.push(d.toString()));
    await new Promise((r) => ws.once('open', r));
    const queued = await post('/prompt', JSON.stringify({ prompt: {}, client_id: 'cloudws' }));
    await h.fake.runFakeJob(queued.json<{ prompt_id: string }>().prompt_id, 'cloudws', 2);
    await expect.poll(() => seen.some((s) => s.includes('execution_success'))).toBe(true);
    expect(seen.join('\n')).not.toContain(CLOUD_KEY);
    ws.close();
  });
});
