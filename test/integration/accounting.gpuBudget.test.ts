// A key's GPU budget (SPEC §11, issue 23): once its GPU seconds of the UTC day reach gpu_seconds_per_day, new
// jobs get 429 policy `gpu` while reads stay free; at 00:00 UTC the budget is back (injected clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, postJson, type Err, type TestKey } from './sharing.helpers';
import { startHarness, type Harness } from '../helpers/proxyHarness';
import { request } from '../helpers/http';

const clock = { t: Date.UTC(2026, 11, 6, 23, 0, 0) };
let h: Harness;
let key: TestKey;
beforeAll(async () => {
  h = await startHarness({ now: () => clock.t });
  key = await createKey(h, { name: 'budgeted' });
  const patched = await request(`${h.url}/api/keys/${key.id}`, {
    method: 'PATCH',
    headers: { authorization: 'Bearer test-admin-key-0123456789abcdef', 'content-type': 'application/json' },
    body: JSON.stringify({ gpu_seconds_per_day: 1 }),
  });
  expect(patched.json<{ gpu_seconds_per_day: number }>().gpu_seconds_per_day).toBe(1);
});
afterAll(() => h.close());

let seed = 0;
const job = () => postJson(h, '/prompt', key.auth, { prompt: { '3': { class_type: 'KSampler', inputs: { seed: ++seed } }, '9': { class_type: 'SaveImage', inputs: { images: ['3', 0] } } } });

describe('GPU budget', () => {
  it('a job that spends the budget runs to its end; the next is 429 gpu until midnight UTC; reads stay free', async () => {
    h.fake.jobMs = 1_200;
    h.fake.autoRun = true;
    const first = await job();
    expect(first.status).toBe(200);
    expect(first.headers.ratelimit).toMatch(/^"(gpu|jobs|queue|requests)";r=\d+;t=\d+$/);
    const id = first.json<{ prompt_id: string }>().prompt_id;
    await expect.poll(() => h.stack.proxy.ledger.get(id)?.state, { timeout: 20_000 }).toBe('success');
    // The job was not cut: it ran its full time although it passed the 1 s budget.
    expect(h.stack.proxy.ledger.get(id)?.gpuMs).toBeGreaterThanOrEqual(1_100);
    // The ledger's 'finished' event reaches usage synchronously: the budget counts it at once.
    const refused = await job();
    expect(refused.status).toBe(429);
    expect(refused.headers['ratelimit-policy']).toBe('"gpu";q=1;w=86400');
    expect(refused.headers['retry-after']).toBe('3600');
    expect(refused.json<Err>().error.message).toMatch(/used its GPU budget for today \(UTC\): 1 of 1 GPU seconds/);
    expect((await request(`${h.url}/queue`, { headers: key.auth })).status).toBe(200);
    expect((await request(`${h.url}/history/${id}`, { headers: key.auth })).status).toBe(200);

    clock.t = Date.UTC(2026, 11, 7, 0, 0, 1);
    expect((await job()).status).toBe(200);
    h.fake.autoRun = false;
  });
});
