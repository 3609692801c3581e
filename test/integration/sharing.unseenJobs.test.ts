// Jobs whose WebSocket messages no socket through the proxy sees (SPEC §8.1, §8.2): a script that queues
// without a WebSocket (its jobs get a client_id nobody listens on) and polls /queue, /history or nothing at
// all. The ledger must still learn that they finished, or their outputs stay unviewable, /history stays
// empty and max_queued never frees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/proxyHarness';
import { get, postJson, startSharing, submit, type TestKey } from './sharing.helpers';

let h: Harness;
let keys: Record<'script' | 'poller' | 'batch', TestKey>;

beforeAll(async () => {
  ({ h, keys } = await startSharing({ script: { max_queued: 2 }, poller: {}, batch: { max_queued: 2 } }));
});
afterAll(async () => {
  await h.close();
});

/** ComfyUI runs the job; its messages go to its client_id's socket, which nobody opened. */
const runUnseen = (id: string) => h.fake.runFakeJob(id, undefined, 2);
const outputsOf = (entry: unknown) => Object.values((entry as { outputs: Record<string, { images: { filename: string }[] }> }).outputs).flatMap((o) => o.images);

describe('a script without a WebSocket', () => {
  it('that polls /queue until empty, then reads /history, gets its jobs and their outputs', async () => {
    const a = await submit(h, keys.script.auth);
    const b = await submit(h, keys.script.auth);
    await runUnseen(a.id);
    await runUnseen(b.id);
    const queue = (await get(h, '/queue', keys.script.auth)).json<{ queue_running: unknown[]; queue_pending: unknown[] }>();
    expect(queue).toEqual({ queue_running: [], queue_pending: [] });
    const history = (await get(h, '/history', keys.script.auth)).json<Record<string, unknown>>();
    expect(Object.keys(history)).toEqual([a.id, b.id]);
    const file = outputsOf(history[a.id])[0]?.filename ?? '';
    expect((await get(h, `/view?filename=${file}&type=output`, keys.script.auth)).status).toBe(200);
    expect(h.stack.proxy.ledger.get(a.id)?.state).toBe('success');
  });

  it('that never reads anything still gets its queue slots back when it submits again', async () => {
    const a = await submit(h, keys.batch.auth);
    const b = await submit(h, keys.batch.auth);
    await runUnseen(a.id);
    await runUnseen(b.id);
    const c = await submit(h, keys.batch.auth);
    expect(c.res.status).toBe(200);
    // Still a real limit: c and d fill it again while they wait.
    expect((await submit(h, keys.batch.auth)).res.status).toBe(200);
    expect((await submit(h, keys.batch.auth)).res.status).toBe(429);
  });

  it('that polls /history/{id} learns the outcome (and the ledger with it)', async () => {
    const a = await submit(h, keys.poller.auth);
    await runUnseen(a.id);
    const one = (await get(h, `/history/${a.id}`, keys.poller.auth)).json<Record<string, unknown>>();
    expect(Object.keys(one)).toEqual([a.id]);
    expect(h.stack.proxy.ledger.get(a.id)?.state).toBe('success');
  });

  it('a job deleted on ComfyUI behind the proxy’s back leaves the count too', async () => {
    const stuck = await submit(h, keys.poller.auth);
    // Someone clears ComfyUI's queue directly (not through the proxy).
    await postJson({ ...h, url: h.fake.url }, '/queue', {}, { delete: [stuck.id] });
    await get(h, '/queue', keys.poller.auth);
    expect(h.stack.proxy.ledger.get(stuck.id)?.state).toBe('deleted');
    expect(h.stack.proxy.ledger.activeCount(keys.poller.id)).toBe(0);
  });
});
