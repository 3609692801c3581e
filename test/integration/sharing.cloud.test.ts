// Who may spend the owner's Comfy account (SPEC §8.8, issue 21): the app's cloud key reaches ComfyUI only in
// jobs of principals allowed to use it; a key without the permission is refused a job with paid API nodes
// (learned from the fake ComfyUI's /object_info, which marks them "api_node": true) unless it brings its own
// comfy.org credential; an allowed key's API-node jobs are capped per day and counted in usage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, barrier, openWs, postJson, startSharing, type Err, type TestKey } from './sharing.helpers';
import type { Harness } from '../helpers/proxyHarness';
import { request } from '../helpers/http';

const CLOUD_KEY = 'comfyui-owner0cloud1key2abcdefghijklmno';
let h: Harness;
let keys: Record<'plain' | 'spender' | 'capped', TestKey>;

beforeAll(async () => {
  ({ h, keys } = await startSharing(
    { plain: {}, spender: { cloud: true }, capped: { cloud: true, cloud_jobs_per_day: 2 } },
    { cloudKey: CLOUD_KEY },
  ));
});
afterAll(() => h.close());

let seed = 0;
const apiWorkflow = () => ({
  '1': { class_type: 'OpenAIDalle3', inputs: { prompt: `a lighthouse ${++seed}` } },
  '9': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'ComfyUI' } },
});
const plainWorkflow = () => ({
  '3': { class_type: 'KSampler', inputs: { seed: ++seed, steps: 2 } },
  '9': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'ComfyUI' } },
});
/** What ComfyUI received as extra_data for a job, or undefined when it never arrived. */
function extraDataSent(promptId: string): Record<string, unknown> | undefined {
  const item = [...h.fake.state.pending, ...h.fake.state.running].find((i) => i[1] === promptId);
  if (item) return item[3] as Record<string, unknown>;
  const rec = h.fake.received.find((r) => r.method === 'POST' && r.url === '/prompt' && (r.bodyText ?? '').includes(promptId));
  return rec ? (JSON.parse(rec.bodyText ?? '{}').extra_data as Record<string, unknown>) : undefined;
}
const forwardedPrompts = () => h.fake.received.filter((r) => r.method === 'POST' && r.url === '/prompt').length;

describe('a key without cloud', () => {
  it('is refused a job with a paid API node, naming the node, and nothing reaches ComfyUI', async () => {
    const before = forwardedPrompts();
    const res = await postJson(h, '/prompt', keys.plain.auth, { prompt: apiWorkflow() });
    expect(res.status).toBe(403);
    const err = res.json<Err>().error;
    expect(err.type).toBe('cloud_not_allowed');
    expect(err.message).toContain('OpenAIDalle3');
    expect(forwardedPrompts()).toBe(before);
  });

  it('runs a plain job, and ComfyUI never sees the owner\'s key in it', async () => {
    const res = await postJson(h, '/prompt', keys.plain.auth, { prompt: plainWorkflow() });
    expect(res.status).toBe(200);
    const sent = extraDataSent(res.json<{ prompt_id: string }>().prompt_id);
    expect(sent).toBeDefined();
    expect(JSON.stringify(sent)).not.toContain(CLOUD_KEY);
  });

  it.each([['api_key_comfy_org', 'comfyui-holders-own-key'], ['auth_token_comfy_org', 'firebase-token-of-the-holder']])(
    'with its own %s, an API-node job is forwarded untouched and the owner\'s key is not added',
    async (field, value) => {
      const res = await postJson(h, '/prompt', keys.plain.auth, { prompt: apiWorkflow(), extra_data: { [field]: value } });
      expect(res.status).toBe(200);
      const sent = extraDataSent(res.json<{ prompt_id: string }>().prompt_id)!;
      expect(sent[field]).toBe(value);
      expect(JSON.stringify(sent)).not.toContain(CLOUD_KEY);
    },
  );
});

describe('a key with cloud', () => {
  it('gets the owner\'s key injected into its API-node job', async () => {
    const res = await postJson(h, '/prompt', keys.spender.auth, { prompt: apiWorkflow() });
    expect(res.status).toBe(200);
    expect(extraDataSent(res.json<{ prompt_id: string }>().prompt_id)?.api_key_comfy_org).toBe(CLOUD_KEY);
    expect(res.text).not.toContain(CLOUD_KEY);
  });

  it('with a cap of 2 per day, the third API-node job is 429 policy cloud, and plain jobs still run', async () => {
    for (let i = 0; i < 2; i++) expect((await postJson(h, '/prompt', keys.capped.auth, { prompt: apiWorkflow() })).status).toBe(200);
    const before = forwardedPrompts();
    const third = await postJson(h, '/prompt', keys.capped.auth, { prompt: apiWorkflow() });
    expect(third.status).toBe(429);
    expect(third.headers['ratelimit-policy']).toMatch(/^"cloud";q=2;w=86400$/);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect(third.json<Err>().error.message).toContain('2 jobs with paid API nodes');
    expect(forwardedPrompts()).toBe(before);
    expect((await postJson(h, '/prompt', keys.capped.auth, { prompt: plainWorkflow() })).status).toBe(200);
  });
});

describe('the admin key and the key fields', () => {
  it('admin always may: its API-node job carries the owner\'s key', async () => {
    const res = await postJson(h, '/prompt', ADMIN, { prompt: apiWorkflow() });
    expect(res.status).toBe(200);
    expect(extraDataSent(res.json<{ prompt_id: string }>().prompt_id)?.api_key_comfy_org).toBe(CLOUD_KEY);
  });

  it('new keys default to cloud false; the API shows and changes both fields; bad values are 400', async () => {
    const list = await request(`${h.url}/api/keys`, { headers: ADMIN });
    const byName = Object.fromEntries(list.json<{ keys: { name: string; cloud: boolean; cloud_jobs_per_day: number | null }[] }>().keys.map((k) => [k.name, k]));
    expect(byName.plain).toMatchObject({ cloud: false, cloud_jobs_per_day: null });
    expect(byName.capped).toMatchObject({ cloud: true, cloud_jobs_per_day: 2 });
    const patch = (body: unknown) => request(`${h.url}/api/keys/${keys.plain.id}`, { method: 'PATCH', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ cloud: 'yes' })).status).toBe(400);
    expect((await patch({ cloud_jobs_per_day: 0 })).json<Err>().error.message).toContain('cloud_jobs_per_day');
    const allowed = await patch({ cloud: true });
    expect(allowed.json<{ cloud: boolean }>().cloud).toBe(true);
    const res = await postJson(h, '/prompt', keys.plain.auth, { prompt: apiWorkflow() });
    expect(res.status).toBe(200);
    expect(extraDataSent(res.json<{ prompt_id: string }>().prompt_id)?.api_key_comfy_org).toBe(CLOUD_KEY);
    await patch({ cloud: false });
  });
});

describe('nothing relayed carries the owner\'s key', () => {
  it('a WebSocket message that echoes extra_data (a custom node may) reaches clients redacted', async () => {
    const admin = await openWs(h, { headers: ADMIN });
    const holder = await openWs(h, { headers: keys.spender.auth });
    const echo = { type: 'custom_node_echo', data: { extra_data: { api_key_comfy_org: CLOUD_KEY }, note: `key=${CLOUD_KEY};` } };
    await h.fake.sendJson(echo);
    await barrier(h, [admin, holder]);
    for (const socket of [admin, holder]) {
      const got = socket.texts.find((m) => m.type === 'custom_node_echo');
      expect(got).toBeDefined();
      expect(JSON.stringify(got)).not.toContain(CLOUD_KEY);
      expect(got?.data.note).toBe('key=[redacted];');
    }
    await Promise.all([admin.close(), holder.close()]);
  });
});

describe('usage counts cloud jobs per key and day', () => {
  it('a finished API-node job of an allowed key is one cloud job in /api/usage; a plain job is not', async () => {
    const socket = await openWs(h, { headers: keys.spender.auth });
    const run = async (prompt: Record<string, unknown>) => {
      const res = await postJson(h, '/prompt', keys.spender.auth, { prompt, client_id: socket.clientId });
      const id = res.json<{ prompt_id: string }>().prompt_id;
      await h.fake.runFakeJob(id, socket.clientId, 1);
      await socket.waitFor((m) => m.type === 'execution_success' && m.data.prompt_id === id);
    };
    const usage = async () => (await request(`${h.url}/api/usage?days=1`, { headers: keys.spender.auth })).json<{ usage_stats: { cloud_jobs: number; jobs: { total: number } } }>().usage_stats;
    const before = await usage();
    await run(apiWorkflow());
    await run(plainWorkflow());
    await expect.poll(async () => (await usage()).jobs.total).toBe(before.jobs.total + 2);
    expect((await usage()).cloud_jobs).toBe(before.cloud_jobs + 1);
    await socket.close();
  });
});
