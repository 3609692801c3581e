// Uploads with several upstreams (SPEC §10): a real multipart upload through the proxy reaches every live
// upstream, streamed (a large one leaves the heap flat), so a job that uses it runs wherever it lands; an
// upstream that was down during the upload gets no job that needs the file.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { makePng } from '../fixtures/fakeComfy';
import { bigImageUpload } from '../helpers/bigUpload';
import { request } from '../helpers/http';
import { createKey, fakeHolding, promptBody, startMulti, submit, WsClient, type Multi } from './upstreams.helpers';

let m: Multi | null = null;
afterEach(async () => {
  await m?.close();
  m = null;
});

async function uploadPng(multi: Multi, name: string, png: Buffer): Promise<{ status: number; json: { name: string; subfolder: string; type: string } }> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(png)], { type: 'image/png' }), name);
  form.append('type', 'input');
  const res = await fetch(`${multi.url}/upload/image`, { method: 'POST', headers: multi.auth, body: form });
  return { status: res.status, json: (await res.json()) as { name: string; subfolder: string; type: string } };
}

describe('uploads', () => {
  it('reach every upstream, and jobs that use the file run wherever they land', async () => {
    m = await startMulti(2);
    const png = makePng(8, 8);
    const up = await uploadPng(m, 'cat.png', png);
    expect(up.status).toBe(200);
    expect(up.json).toEqual({ name: 'cat.png', subfolder: '', type: 'input' });
    const sha = createHash('sha256').update(png).digest('hex');
    for (const f of m.fakes) expect(f.uploads.find((u) => u.name === 'cat.png')).toMatchObject({ bytes: png.length, sha256: sha });

    const ws = await WsClient.open(m, 'up');
    await Promise.all(m.fakes.map((f) => f.waitForWsClient('up')));
    const jobs = [await submit(m, promptBody('up', 'cat.png')), await submit(m, promptBody('up', 'cat.png'))];
    const holders = jobs.map((j) => fakeHolding(m as Multi, j.promptId));
    expect(new Set(holders).size).toBe(2); // one on each
    for (const [i, j] of jobs.entries()) {
      const item = holders[i]?.state.pending.find((q) => q[1] === j.promptId);
      expect((item?.[2]['10'] as { inputs: { image: string } }).inputs.image).toBe('cat.png');
      expect(holders[i]?.files.get('input', '', 'cat.png')?.sha256).toBe(sha);
      await holders[i]?.runFakeJob(j.promptId, 'up', 1);
      await ws.waitFor((msg) => msg.type === 'execution_success' && msg.data.prompt_id === j.promptId);
    }
    // The input file is there for the web UI's preview too, from any upstream.
    const view = await request(`${m.url}/view?filename=cat.png&type=input`, { headers: m.auth });
    expect(view.status).toBe(200);
    ws.close();
  });

  it('send a key’s mask (read by the sharing rules) and admin’s (streamed) to every upstream too', async () => {
    m = await startMulti(2);
    const key = await createKey(m, 'masker');
    const boundary = '----mask-boundary';
    const form = (name: string) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`),
        makePng(4, 4),
        Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="original_ref"\r\n\r\n${JSON.stringify({ filename: 'example.png', subfolder: '', type: 'input' })}`),
        Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\ninput\r\n--${boundary}--\r\n`),
      ]);
    for (const [who, name] of [[`Bearer ${key}`, 'key-mask.png'], [m.auth.authorization, 'admin-mask.png']] as const) {
      const res = await request(`${m.url}/upload/mask`, { method: 'POST', headers: { authorization: who, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: form(name) });
      expect(res.status).toBe(200);
      expect(res.json<{ name: string }>().name).toBe(name);
      for (const f of m.fakes) expect(f.received.filter((r) => r.url === '/upload/mask').length).toBeGreaterThan(0);
      for (const f of m.fakes) expect(f.uploads.some((u) => u.name === name)).toBe(true);
    }
  });

  it('stream a large upload to three upstreams at once, intact, without buffering it', async () => {
    m = await startMulti(3);
    const total = 64 * 1024 * 1024;
    const upload = bigImageUpload(total);
    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 20);
    const res = await request(`${m.url}/upload/image`, {
      method: 'POST',
      headers: { ...m.auth, origin: m.url, 'content-type': upload.contentType },
      body: upload.body(),
    });
    clearInterval(sampler);
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const digest = upload.digest();
    for (const f of m.fakes) expect(f.uploads.find((u) => u.name === 'big.png')).toMatchObject({ bytes: total, sha256: digest });
    // Holding the upload anywhere in this process (client, proxy or the three fakes) would add ≥ 64 MB.
    expect(peak - baseline).toBeLessThan(40 * 1024 * 1024);
  });

  it('keep jobs that need a file off an upstream that was down when it was uploaded', async () => {
    m = await startMulti(3);
    const [a, b, c] = m.fakes;
    await c?.stop();
    await expect.poll(() => m?.stack.proxy.upstreamStatus()[2]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    expect((await uploadPng(m, 'dog.png', makePng(4, 4))).status).toBe(200);
    expect(c?.uploads.some((u) => u.name === 'dog.png')).toBe(false);
    await c?.restart();
    await expect.poll(() => m?.stack.proxy.upstreamStatus()[2]?.state, { timeout: 10_000, interval: 100 }).toBe('up');
    // The returning upstream has the shortest queue, yet the jobs that need dog.png go to the two that have it.
    for (let i = 0; i < 4; i++) {
      const j = await submit(m, promptBody('dog', 'dog.png'));
      expect([a, b]).toContain(fakeHolding(m, j.promptId));
    }
    const other = await submit(m, promptBody('dog'));
    expect(fakeHolding(m, other.promptId)).toBe(c);
  });
});
