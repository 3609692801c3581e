// Accounting without gaps (SPEC §11, issue 23): a script that only POSTs — no socket, no reads — still gets
// its jobs settled in the ledger within seconds of their end on ComfyUI, with ComfyUI's own run time (the
// `execution_start` → `execution_success` timestamps in /history), and the proxy asks ComfyUI nothing while
// no job is outstanding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, postJson, type TestKey } from './sharing.helpers';
import { startHarness, type Harness } from '../helpers/proxyHarness';
import { request } from '../helpers/http';

let h: Harness;
let script: TestKey;
beforeAll(async () => {
  h = await startHarness();
  script = await createKey(h, { name: 'post-only-script' });
});
afterAll(() => h.close());

const reads = () => h.fake.received.filter((r) => r.method === 'GET' && /^\/(queue|history)/.test(r.url)).length;
const workflow = (seed: number) => ({
  '3': { class_type: 'KSampler', inputs: { seed, steps: 2 } },
  '9': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'ComfyUI' } },
});

describe('jobs settle without a reader', () => {
  it('three POST-only jobs end in the ledger with ComfyUI\'s run time, and idle stays idle afterwards', async () => {
    h.fake.jobMs = 700;
    h.fake.autoRun = true;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await postJson(h, '/prompt', script.auth, { prompt: workflow(1000 + i) });
      expect(res.status).toBe(200);
      ids.push(res.json<{ prompt_id: string }>().prompt_id);
    }
    const ledger = h.stack.proxy.ledger;
    // Settled on its own: nothing here reads the queue, history or a socket.
    await expect.poll(() => ids.map((id) => ledger.get(id)?.state), { timeout: 20_000 }).toEqual(['success', 'success', 'success']);
    for (const id of ids) {
      const history = h.fake.state.history.get(id) as unknown as { status: { messages: [string, { timestamp: number }][] } };
      const stamp = (event: string) => history.status.messages.find(([e]) => e === event)?.[1].timestamp ?? NaN;
      // ComfyUI's own clock, to the millisecond, not the moment the proxy noticed.
      expect(ledger.get(id)?.gpuMs).toBe(stamp('execution_success') - stamp('execution_start'));
      expect(ledger.get(id)?.gpuMs).toBeGreaterThanOrEqual(600);
    }
    const usage = await request(`${h.url}/api/usage?days=1`, { headers: script.auth });
    const stats = usage.json<{ usage_stats: { jobs: { total: number; success: number }; gpu_seconds: number } }>().usage_stats;
    expect(stats.jobs).toMatchObject({ total: 3, success: 3 });
    expect(stats.gpu_seconds).toBeGreaterThanOrEqual(1.8);

    // Nothing outstanding: the settler stops; no more reads reach ComfyUI.
    await expect.poll(() => h.stack.proxy.settler.armed).toBe(false);
    const before = reads();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(reads()).toBe(before);
    h.fake.autoRun = false;
  });
});
