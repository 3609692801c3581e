// Isolation gaps found in review, each shown from the attacker's side and the owner's: ComfyUI's doubled
// /api/api/* routes, annotated file names in a workflow, prompt_id reuse and shape, an interrupt naming a job
// that is not running, and an admin session used from another page on Manager's state-changing GETs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson, workflow } from '../fixtures/fakeComfyClient';
import { loginJson, sessionCookie, withSession } from './login.helpers';
import { ADMIN_KEY, type Harness } from '../helpers/proxyHarness';
import { outputOf, startTwoKeys } from './sharing.twoKeys.helpers';

let h: Harness;
let alice: Record<string, string>;
let bob: Record<string, string>;
let aliceOutput = '';

beforeAll(async () => {
  ({ h, alice, bob } = await startTwoKeys());
  aliceOutput = await outputOf(h, alice, 'alice-output');
});
afterAll(() => h.close());

const forwarded = (re: RegExp) => h.fake.received.filter((r) => re.test(r.url)).length;

describe('review findings', () => {
  it('ComfyUI’s doubled /api/api/jobs is admin-only, never forwarded for a key', async () => {
    const before = forwarded(/^\/api\/api\//);
    expect((await getJson(h.url, '/api/api/jobs', bob)).status).toBe(403);
    expect((await getJson(h.url, '/api/api/jobs/x', bob)).status).toBe(403);
    expect(forwarded(/^\/api\/api\//)).toBe(before);
  });

  it('a workflow may not load another key’s output by its annotated name; the owner may', async () => {
    const steal = { '1': { class_type: 'LoadImage', inputs: { image: `${aliceOutput} [output]` } }, '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } };
    const before = forwarded(/\/prompt$/);
    const refused = await postJson(h.url, '/prompt', { prompt: steal }, bob);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain(aliceOutput);
    expect(forwarded(/\/prompt$/)).toBe(before);
    expect((await postJson(h.url, '/prompt', { prompt: steal }, alice)).status).toBe(200);
    // ComfyUI drops the tag and any one character before it ("x.png_[output]" is x.png), then may strip().
    const paths = [
      `../output/${aliceOutput}`,
      `../output/${aliceOutput} [input]`,
      `../output/${aliceOutput}  [input]`, // a strip()ing ComfyUI drops both spaces
      `../output/${aliceOutput}.`, // Windows opens x.png. and x.png::$DATA as x.png
      `../output/${aliceOutput}::$DATA`,
      `/srv/ComfyUI/output/${aliceOutput}`,
      `..\\output\\${aliceOutput}`,
      `\x1f${aliceOutput} [output]`, // Python strips \x1f, JavaScript's trim() does not
    ];
    for (const name of [`${aliceOutput}_[output]`, `${aliceOutput}\t[output]`, `${aliceOutput}  [output]`, ...paths]) {
      const sneaky = { '1': { class_type: 'LoadImage', inputs: { image: name } }, '2': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } };
      expect((await postJson(h.url, '/prompt', { prompt: sneaky }, bob)).status).toBe(403);
    }
    // Inside nested inputs too, at any depth.
    const listed = { '1': { class_type: 'SomeBatchLoader', inputs: { images: [[[[[{ file: `../output/${aliceOutput}` }]]]]] } } };
    expect((await postJson(h.url, '/prompt', { prompt: listed }, bob)).status).toBe(403);
    expect(forwarded(/\/prompt$/)).toBe(before + 1);
  });

  it('ordinary text prompts are not mistaken for file paths', async () => {
    const prompts = [
      '/imagine prompt: cinematic shot of a lighthouse at dusk, volumetric light --ar 16:9 --v 5.2',
      '1girl, hatsune miku \\(vocaloid\\), smile, masterpiece, best quality, lora weight 0.8',
      'A: a red fox in fresh snow, photorealistic, 85mm lens, f/1.8',
      'wallpaper, 4k, style of \\(studio ghibli\\), v2.1',
      'Q: what does a cat look like at night? A: like this, trending on artstation.com',
    ];
    for (const text of prompts) {
      const wf = { '1': { class_type: 'CLIPTextEncode', inputs: { text, clip: ['2', 0] } }, '3': { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } };
      expect((await postJson(h.url, '/prompt', { prompt: wf }, bob)).status, text).toBe(200);
    }
  });

  it('prompt_id: a malformed one is 400, the owner reusing one is 409, another key’s is 403 — nothing forwarded', async () => {
    const before = forwarded(/\/prompt$/);
    expect((await postJson(h.url, '/prompt', { prompt: workflow('a1'), prompt_id: 'x'.repeat(500) }, alice)).status).toBe(400);
    const first = await postJson(h.url, '/prompt', { prompt: workflow('a2'), prompt_id: 'alice-job-1' }, alice);
    expect(first.status).toBe(200);
    expect((await postJson(h.url, '/prompt', { prompt: workflow('a3'), prompt_id: 'alice-job-1' }, alice)).status).toBe(409);
    expect((await postJson(h.url, '/prompt', { prompt: workflow('b1'), prompt_id: 'alice-job-1' }, bob)).status).toBe(403);
    expect(forwarded(/\/prompt$/)).toBe(before + 1);
    await h.fake.waitForJob('alice-job-1', 'finished');
    expect(h.stack.proxy.ledger.ownerOfJob('alice-job-1')).toBe(h.stack.keys.store.list().find((k) => k.name === 'alice')?.key_id);
  });

  it('an interrupt naming the key’s own job that is not running is answered without reaching ComfyUI', async () => {
    const before = forwarded(/\/interrupt$/);
    const res = await postJson(h.url, '/interrupt', { prompt_id: 'alice-job-1' }, alice);
    expect(res.status).toBe(200);
    expect(forwarded(/\/interrupt$/)).toBe(before);
  });

  it('an admin browser session reaches Manager only from the page itself, not from another localhost page', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: ADMIN_KEY })) ?? '';
    const before = forwarded(/manager/);
    const img = await fetch(`${h.url}/manager/queue/update_all`, { headers: withSession(sid, { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' }) });
    expect(img.status).toBe(403);
    expect(forwarded(/manager/)).toBe(before);
    const own = await fetch(`${h.url}/manager/queue/update_all`, { headers: withSession(sid, { 'sec-fetch-site': 'same-origin' }) });
    expect(own.status).not.toBe(403);
  });
});
