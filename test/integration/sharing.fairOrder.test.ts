// A fair share of the GPU (SPEC §12), end to end: keys queue through the proxy, the fake ComfyUI runs its queue
// the way ComfyUI does (lowest number first, a heap on (number, prompt_id)), and the order jobs actually ran in
// is checked. First come, first served would fail every test here: the batch would run before the single job.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, get, startSharing, type TestKey } from './sharing.helpers';
import { longestRunWhileOthersWait, owners, queueJobs, runAll } from './sharing.fairOrder.helpers';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function start<N extends string>(specs: Record<N, { share?: number }>): Promise<Record<N, TestKey>> {
  const started = await startSharing(specs);
  h = started.h;
  return started.keys;
}

const pendingIds = async (key: TestKey): Promise<string[]> =>
  (await get(h as Harness, '/queue', key.auth)).json<{ queue_pending: unknown[][] }>().queue_pending.map((i) => String(i[1]));

describe('fair order of the shared queue', () => {
  it("one key queues 12, another then 1: the single job starts after at most 2 of the batch, and each key's /queue lists its jobs in run order", async () => {
    const keys = await start({ batch: {}, single: {} });
    const batch = await queueJobs(h!, keys.batch.auth, 12);
    const [single] = await queueJobs(h!, keys.single.auth, 1);
    // ComfyUI's /queue is its heap array; the proxy lists a key's jobs in the order they will run.
    const runOrder = h!.fake.state.runOrder().map((i) => i[1]);
    expect(await pendingIds(keys.batch)).toEqual(runOrder.filter((id) => batch.includes(id)));
    expect(h!.fake.state.pending.map((i) => i[1]).filter((id) => batch.includes(id))).not.toEqual(runOrder.filter((id) => batch.includes(id)));
    expect(await pendingIds(keys.single)).toEqual([single]);
    const ran = await runAll(h!.fake, [...batch, single!]);
    expect(ran.indexOf(single!)).toBeLessThanOrEqual(2);
    // The batch itself still runs in the order it was sent.
    expect(ran.filter((id) => id !== single)).toEqual(batch);
  });

  it('three keys queue bursts: they take turns while all of them wait', async () => {
    const keys = await start({ a: {}, b: {}, c: {} });
    const a = await queueJobs(h!, keys.a.auth, 6);
    const b = await queueJobs(h!, keys.b.auth, 6);
    const c = await queueJobs(h!, keys.c.auth, 6);
    const labels = owners(await runAll(h!.fake, [...a, ...b, ...c]), { a, b, c });
    expect(longestRunWhileOthersWait(labels)).toBe(1);
    expect(labels.slice(0, 6).sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
  });

  it('share 2 gets about twice the turns of share 1 while both wait', async () => {
    const keys = await start({ one: { share: 1 }, two: { share: 2 } });
    const one = await queueJobs(h!, keys.one.auth, 12);
    const two = await queueJobs(h!, keys.two.auth, 12);
    const labels = owners(await runAll(h!.fake, [...one, ...two]), { one, two });
    const first12 = labels.slice(0, 12);
    const twice = first12.filter((o) => o === 'two').length;
    expect(twice).toBeGreaterThanOrEqual(7);
    expect(twice).toBeLessThanOrEqual(9);
    expect(longestRunWhileOthersWait(labels)).toBeLessThanOrEqual(2);
  });

  it("admin's front: true still goes first; a key's front and number gain it nothing", async () => {
    const keys = await start({ a: {}, b: {} });
    const a = await queueJobs(h!, keys.a.auth, 3);
    const b = await queueJobs(h!, keys.b.auth, 3);
    const [jumper] = await queueJobs(h!, keys.a.auth, 1, { front: true, number: -1000 });
    const [boss] = await queueJobs(h!, ADMIN, 1, { front: true });
    const ran = await runAll(h!.fake, [...a, ...b, jumper!, boss!]);
    expect(ran[0]).toBe(boss);
    expect(owners(ran.slice(1), { a: [...a, jumper!], b })).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a']);
    expect(ran[ran.length - 1]).toBe(jumper);
  });

  it("a key's share changed over the API counts for its next jobs", async () => {
    const keys = await start({ a: {}, b: {} });
    const res = await request(`${h!.url}/api/keys/${keys.b.id}`, { method: 'PATCH', headers: { ...ADMIN, 'content-type': 'application/json' }, body: JSON.stringify({ share: 3 }) });
    expect(res.json<{ share: number }>().share).toBe(3);
    const a = await queueJobs(h!, keys.a.auth, 8);
    const b = await queueJobs(h!, keys.b.auth, 8);
    const first8 = owners(await runAll(h!.fake, [...a, ...b]), { a, b }).slice(0, 8);
    expect(first8.filter((o) => o === 'b').length).toBe(6);
  });
});
