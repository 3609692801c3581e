// Changing jobs under the sharing rules (SPEC §8.3): queue and history deletes forward only the caller's ids
// (another key's are never sent to ComfyUI), a key's `clear` clears only its own jobs, and /interrupt stops a job
// only when it is the caller's — forwarded with its prompt_id — while another key's running job answers 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, finishRunning, get, openWs, postJson, runToEnd, startRunning, startSharing, submit, type Err, type TestKey, type TestSocket } from './sharing.helpers';

let h: Harness;
let keys: Record<'alice' | 'bob' | 'reader', TestKey>;
let alice: TestSocket;
let bob: TestSocket;

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: {}, bob: {}, reader: { scopes: ['read'] } }));
  alice = await openWs(h, { headers: keys.alice.auth });
  bob = await openWs(h, { headers: keys.bob.auth });
});
afterAll(async () => {
  await alice.close();
  await bob.close();
  await h.close();
});

/** Waiting jobs in the order the fake (like ComfyUI) will run them. */
const pendingIds = () => h.fake.state.runOrder().map((i) => i[1]);
/** Bodies of the POSTs to this path (either spelling) that reached the fake after `from`. */
const forwardedBodies = (path: 'queue' | 'history' | 'interrupt', from: number) =>
  h.fake.received
    .slice(from)
    .filter((r) => r.method === 'POST' && new RegExp(`^(/api)?/${path}$`).test(r.url))
    .map((r) => JSON.parse(r.bodyText ?? '{}') as Record<string, unknown>);

describe('queue deletes', () => {
  it('another key’s id is not forwarded and the job stays queued', async () => {
    const a = await submit(h, keys.alice.auth);
    const mark = h.fake.received.length;
    const res = await postJson(h, '/queue', keys.bob.auth, { delete: [a.id] });
    expect(res.status).toBe(200);
    expect(forwardedBodies('queue', mark)).toEqual([]);
    expect(pendingIds()).toContain(a.id);
    expect(h.stack.proxy.ledger.get(a.id)?.state).toBe('pending');
    // The owner deletes it: forwarded, gone from ComfyUI's queue, and no longer counted against the key.
    const own = await postJson(h, '/api/queue', keys.alice.auth, { delete: [a.id] });
    expect(own.status).toBe(200);
    expect(forwardedBodies('queue', mark)).toEqual([{ delete: [a.id] }]);
    expect(pendingIds()).not.toContain(a.id);
    expect(h.stack.proxy.ledger.get(a.id)?.state).toBe('deleted');
    expect(h.stack.proxy.ledger.activeCount(keys.alice.id)).toBe(0);
  });

  it('a mixed list forwards only the caller’s ids', async () => {
    const a = await submit(h, keys.alice.auth);
    const b = await submit(h, keys.bob.auth);
    const mark = h.fake.received.length;
    // A percent-encoded spelling of a write is refused to keys outright (scopes match every form of the path).
    expect((await postJson(h, '/%71ueue', keys.bob.auth, { delete: [a.id, b.id] })).status).toBe(403);
    expect(forwardedBodies('queue', mark)).toEqual([]);
    const res = await postJson(h, '/api/queue', keys.bob.auth, { delete: [a.id, b.id, 'made-up-id'] });
    expect(res.status).toBe(200);
    expect(forwardedBodies('queue', mark)).toEqual([{ delete: [b.id] }]);
    expect(pendingIds()).toContain(a.id);
    expect(pendingIds()).not.toContain(b.id);
    // Admin deletes anyone's.
    await postJson(h, '/queue', ADMIN, { delete: [a.id] });
    expect(pendingIds()).not.toContain(a.id);
  });

  it('a read-only key cannot delete at all', async () => {
    const a = await submit(h, keys.alice.auth);
    const mark = h.fake.received.length;
    const res = await postJson(h, '/queue', keys.reader.auth, { delete: [a.id] });
    expect(res.status).toBe(403);
    expect(forwardedBodies('queue', mark)).toEqual([]);
    await postJson(h, '/queue', keys.alice.auth, { delete: [a.id] });
  });
});

describe('queue order', () => {
  it('a key cannot jump the shared queue with front or number; admin can', async () => {
    const first = await submit(h, keys.bob.auth);
    const jumper = await submit(h, keys.alice.auth, { front: true });
    const numbered = await submit(h, keys.alice.auth, { number: -1000 });
    expect(jumper.res.status).toBe(200);
    const order = pendingIds();
    expect(order.indexOf(first.id)).toBeLessThan(order.indexOf(jumper.id));
    expect(order.indexOf(first.id)).toBeLessThan(order.indexOf(numbered.id));
    const boss = await submit(h, ADMIN, { front: true });
    expect(pendingIds()[0]).toBe(boss.id);
    await postJson(h, '/queue', ADMIN, { delete: [first.id, jumper.id, numbered.id, boss.id] });
  });
});

describe('history deletes', () => {
  it('another key’s entry is not forwarded; the owner’s is', async () => {
    const a = await submit(h, keys.alice.auth);
    await runToEnd(h, a.id, alice);
    const mark = h.fake.received.length;
    expect((await postJson(h, '/history', keys.bob.auth, { delete: [a.id] })).status).toBe(200);
    expect(forwardedBodies('history', mark)).toEqual([]);
    expect(h.fake.state.history.has(a.id)).toBe(true);
    expect(Object.keys((await get(h, `/history/${a.id}`, keys.alice.auth)).json<object>())).toEqual([a.id]);
    expect((await postJson(h, '/api/history', keys.alice.auth, { delete: [a.id] })).status).toBe(200);
    expect(forwardedBodies('history', mark)).toEqual([{ delete: [a.id] }]);
    expect(h.fake.state.history.has(a.id)).toBe(false);
  });
});

describe('clear', () => {
  it('from a key clears nobody else’s jobs (a key with none sends nothing); admin’s is forwarded as sent', async () => {
    const a = await submit(h, keys.alice.auth);
    const done = await submit(h, keys.bob.auth);
    await runToEnd(h, done.id, bob);
    const mark = h.fake.received.length;
    for (const path of ['/queue', '/api/queue']) {
      const res = await postJson(h, path, keys.bob.auth, { clear: true });
      expect(res.status, path).toBe(200);
    }
    expect(h.fake.received.length).toBe(mark);
    // A read-only key may not change the queue at all.
    expect((await postJson(h, '/history', keys.reader.auth, { clear: true })).status).toBe(403);
    expect(h.fake.received.length).toBe(mark);
    expect(pendingIds()).toContain(a.id);
    expect(h.fake.state.history.has(done.id)).toBe(true);
    expect((await postJson(h, '/queue', ADMIN, { clear: true })).status).toBe(200);
    expect(forwardedBodies('queue', mark)).toEqual([{ clear: true }]);
    expect(pendingIds()).toEqual([]);
    expect(h.stack.proxy.ledger.get(a.id)?.state).toBe('deleted');
    expect((await postJson(h, '/history', ADMIN, { clear: true })).status).toBe(200);
    expect(h.fake.state.history.size).toBe(0);
  });
});

describe('/interrupt', () => {
  let running = '';

  beforeAll(async () => {
    running = (await submit(h, keys.alice.auth)).id;
    await startRunning(h, running, alice);
  });

  it('another key’s running job: 403 with or without its prompt_id, nothing forwarded', async () => {
    const mark = h.fake.received.length;
    for (const body of [{}, { prompt_id: running }]) {
      for (const path of ['/interrupt', '/api/interrupt']) {
        const res = await postJson(h, path, keys.bob.auth, body);
        expect(res.status, path).toBe(403);
        expect(res.json<Err>().error.message).toMatch(/not one of yours|another key's/);
      }
      expect((await postJson(h, '/%69nterrupt', keys.bob.auth, body)).status).toBe(403);
    }
    expect(forwardedBodies('interrupt', mark)).toEqual([]);
  });

  it('the owner’s running job: forwarded with its prompt_id, so a newer ComfyUI stops only that one', async () => {
    const mark = h.fake.received.length;
    // One call per running job: once it stops, a key's interrupt naming it is answered without forwarding
    // (an older ComfyUI would stop whatever runs next).
    expect((await postJson(h, '/interrupt', keys.alice.auth, {})).status).toBe(200);
    expect(forwardedBodies('interrupt', mark)).toEqual([{ prompt_id: running }]);
  });

  it('admin interrupts whatever runs, as sent', async () => {
    const mark = h.fake.received.length;
    expect((await postJson(h, '/interrupt', ADMIN, {})).status).toBe(200);
    expect(forwardedBodies('interrupt', mark)).toEqual([{}]);
  });

  it('with nothing of the caller’s running, a bare interrupt is 403', async () => {
    await finishRunning(h, running, alice);
    const mark = h.fake.received.length;
    const res = await postJson(h, '/interrupt', keys.alice.auth, {});
    expect(res.status).toBe(403);
    expect(forwardedBodies('interrupt', mark)).toEqual([]);
  });
});
