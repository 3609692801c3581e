// Private uploads with several upstreams (SPEC §8.3, §10): a key's upload is teed to every live upstream into the
// key's own folder, its /object_info (the proxy's shared, cached read) lists it for that key only, and a job using
// it runs on whichever upstream takes it; a key's mask (read whole by the sharing rules) lands in its folder too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../fixtures/fakeComfy';
import { request } from '../helpers/http';
import { choices, loadWorkflow, uploadFile } from './sharing.privateUploads.helpers';
import { fakeHolding, startMulti, WsClient, type Multi } from './upstreams.helpers';

let m: Multi;
const keys: Record<'alice' | 'bob', { id: string; secret: string; auth: Record<string, string> }> = {} as never;

beforeAll(async () => {
  m = await startMulti(2);
  for (const name of ['alice', 'bob'] as const) {
    const res = await request(`${m.url}/api/keys`, { method: 'POST', headers: { ...m.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    const { key_id: id, api_key: secret } = res.json<{ key_id: string; api_key: string }>();
    keys[name] = { id, secret, auth: { authorization: `Bearer ${secret}` } };
  }
});
afterAll(() => m.close());

describe('private uploads with two upstreams', () => {
  it('a key’s upload reaches both into its folder, is listed for it alone, and its jobs run on either upstream', async () => {
    const dir = `private-${keys.alice.id}`;
    const png = makePng(6, 6);
    const up = await uploadFile(m.url, keys.alice.auth, 'cat.png', png);
    expect(up.json()).toEqual({ name: 'cat.png', subfolder: dir, type: 'input' });
    for (const f of m.fakes) expect(f.files.get('input', dir, 'cat.png')?.size).toBe(png.length);

    expect((await choices(m.url, keys.alice.auth, 'LoadImage', 'image', '/object_info'))[0]).toBe(`${dir}/cat.png`);
    expect(await choices(m.url, keys.bob.auth, 'LoadImage', 'image', '/object_info')).not.toContain(`${dir}/cat.png`);
    expect(await choices(m.url, keys.bob.auth, 'LoadImage', 'image')).toEqual(['example.png']);

    const ws = await WsClient.open(m, 'alice-ui', keys.alice.secret);
    await Promise.all(m.fakes.map((f) => f.waitForWsClient('alice-ui')));
    const send = (key: string, value: string) =>
      request(`${m.url}/prompt`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ prompt: loadWorkflow(value), client_id: 'alice-ui' }) });
    const jobs = [await send(keys.alice.secret, `${dir}/cat.png`), await send(keys.alice.secret, `${dir}/cat.png`)].map((r) => r.json<{ prompt_id: string }>().prompt_id);
    const holders = jobs.map((id) => fakeHolding(m, id));
    expect(new Set(holders).size).toBe(2);
    for (const [i, id] of jobs.entries()) {
      await holders[i]?.runFakeJob(id, 'alice-ui', 1);
      await ws.waitFor((msg) => msg.type === 'execution_success' && msg.data.prompt_id === id);
    }
    ws.close();
    expect((await send(keys.bob.secret, `${dir}/cat.png`)).status).toBe(403);
    expect((await request(`${m.url}/view?filename=cat.png&type=input&subfolder=${dir}`, { headers: keys.bob.auth })).status).toBe(404);
  });

  it('a key’s mask lands in its folder on both upstreams and is listed for it', async () => {
    const dir = `private-${keys.bob.id}`;
    await uploadFile(m.url, keys.bob.auth, 'dog.png', makePng(4, 4));
    const b = '----mask';
    const body = Buffer.concat([
      Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="image"; filename="clipspace-mask-1.png"\r\nContent-Type: image/png\r\n\r\n`),
      makePng(4, 4),
      Buffer.from(`\r\n--${b}\r\nContent-Disposition: form-data; name="original_ref"\r\n\r\n${JSON.stringify({ filename: 'dog.png', subfolder: dir, type: 'input' })}`),
      Buffer.from(`\r\n--${b}\r\nContent-Disposition: form-data; name="type"\r\n\r\ninput\r\n--${b}\r\nContent-Disposition: form-data; name="subfolder"\r\n\r\nclipspace\r\n--${b}--\r\n`),
    ]);
    const res = await request(`${m.url}/upload/mask`, { method: 'POST', headers: { ...keys.bob.auth, 'content-type': `multipart/form-data; boundary=${b}` }, body });
    expect(res.json()).toEqual({ name: 'clipspace-mask-1.png', subfolder: `${dir}/clipspace`, type: 'input' });
    for (const f of m.fakes) expect(f.files.get('input', `${dir}/clipspace`, 'clipspace-mask-1.png')).toBeDefined();
    // In a subfolder of the key's folder, like ComfyUI's own clipspace/: usable, not in the top-level list.
    expect(await choices(m.url, keys.bob.auth, 'LoadImage', 'image', '/object_info')).toEqual([`${dir}/dog.png`, 'example.png']);
  });
});
