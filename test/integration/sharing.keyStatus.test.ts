// What a key's web UI is told and can do while the GPU is shared (docs/sharing.md, "What a key's web UI
// shows"): its `status` queue count is its own (what its /queue lists), others' work is in fields the
// frontends ignore, "Cancel current run" and "Clear" act on its own jobs, and the refusals say what is true.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, barrier, finishRunning, get, openWs, postJson, startRunning, startSharing, submit, type Err, type TestKey, type TestSocket, type WsMessage } from './sharing.helpers';

let h: Harness;
let keys: Record<'alice' | 'bob', TestKey>;
let alice: TestSocket;
let bob: TestSocket;
let admin: TestSocket;

interface ExecInfo {
  queue_remaining: number;
  others_remaining?: number;
  others_ahead?: number;
}
const execInfo = (m: WsMessage) => (m.data.status as { exec_info: ExecInfo }).exec_info;
/** The last `status` a socket got, after a barrier so everything sent before has arrived (the barrier's own made-up count aside). */
async function lastStatus(s: TestSocket): Promise<ExecInfo> {
  await barrier(h, [s]);
  const statuses = s.texts.filter((m) => m.type === 'status' && m.data.marker === undefined);
  const last = statuses[statuses.length - 1];
  if (!last) throw new Error('no status');
  return execInfo(last);
}
const queueOf = async (key: TestKey) => {
  const q = (await get(h, '/queue', key.auth)).json<{ queue_running: unknown[]; queue_pending: unknown[] }>();
  return q.queue_running.length + q.queue_pending.length;
};

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: {}, bob: {} }));
  alice = await openWs(h, { headers: keys.alice.auth });
  bob = await openWs(h, { headers: keys.bob.auth });
  admin = await openWs(h, { headers: ADMIN });
});
afterAll(async () => {
  for (const s of [alice, bob, admin]) await s.close();
  await h.close();
});
beforeEach(async () => {
  await postJson(h, '/queue', ADMIN, { clear: true });
});

describe('the status a key gets', () => {
  it('counts its own jobs, agrees with its queue list, and says how many of others are ahead', async () => {
    const running = (await submit(h, keys.alice.auth)).id;
    await startRunning(h, running, alice);
    const aliceNext = (await submit(h, keys.alice.auth)).id;
    // Nothing of bob's: his badge is 0 (so "Cancel current run" is disabled), yet he is told the GPU is busy.
    expect(await lastStatus(bob)).toEqual({ queue_remaining: 0, others_remaining: 2, others_ahead: 0 });
    expect(await queueOf(keys.bob)).toBe(0);
    const mine = (await submit(h, keys.bob.auth)).id;
    // Fair order puts bob's first job before alice's second: only her running job is ahead of it.
    expect(await lastStatus(bob)).toEqual({ queue_remaining: 1, others_remaining: 2, others_ahead: 1 });
    expect(h.fake.state.runOrder().map((i) => i[1])).toEqual([mine, aliceNext]);
    expect(await queueOf(keys.bob)).toBe(1);
    expect(await lastStatus(alice)).toEqual({ queue_remaining: 2, others_remaining: 1, others_ahead: 0 });
    // Admin's web UI lists everything, so it gets ComfyUI's own count and nothing added.
    expect(await lastStatus(admin)).toEqual({ queue_remaining: 3 });
    await finishRunning(h, running, alice);
    await postJson(h, '/queue', keys.alice.auth, { delete: [aliceNext] });
    expect(await lastStatus(bob)).toEqual({ queue_remaining: 1, others_remaining: 0, others_ahead: 0 });
    await postJson(h, '/queue', keys.bob.auth, { delete: [mine] });
    expect(await lastStatus(bob)).toEqual({ queue_remaining: 0, others_remaining: 0, others_ahead: 0 });
  });

  it('is corrected as soon as the ledger moves, when ComfyUI’s own status came first', async () => {
    // A job queued by bob's script socket: his web UI socket does not see it end; the proxy tells it anyway.
    const script = await openWs(h, { headers: keys.bob.auth });
    const job = (await submit(h, keys.bob.auth, { client_id: script.clientId })).id;
    expect(await lastStatus(bob)).toMatchObject({ queue_remaining: 1 });
    await startRunning(h, job, script);
    await finishRunning(h, job, script);
    await bob.waitFor((m) => m.type === 'status' && execInfo(m).queue_remaining === 0);
    expect(await queueOf(keys.bob)).toBe(0);
    await script.close();
  });

  it('keeps ComfyUI’s first status with the socket’s sid', () => {
    const first = bob.texts[0];
    expect(first?.type).toBe('status');
    expect(first?.data.sid).toBe(bob.clientId);
    expect(execInfo(first as WsMessage).queue_remaining).toBe(0);
  });
});

describe('"Cancel current run" (POST /interrupt without prompt_id) for a key', () => {
  it('with its job waiting behind another key’s: that job leaves the queue, the running one is untouched', async () => {
    const running = (await submit(h, keys.alice.auth)).id;
    await startRunning(h, running, alice);
    const first = (await submit(h, keys.bob.auth)).id;
    const second = (await submit(h, keys.bob.auth)).id;
    const mark = h.fake.received.length;
    const res = await postJson(h, '/interrupt', keys.bob.auth, {});
    expect(res.status).toBe(200);
    const sent = h.fake.received.slice(mark).map((r) => `${r.method} ${r.url} ${r.bodyText ?? ''}`);
    expect(sent).toEqual([`POST /queue ${JSON.stringify({ delete: [first] })}`]);
    expect(h.fake.state.pending.map((i) => i[1])).toEqual([second]);
    expect(h.stack.proxy.ledger.get(running)?.state).toBe('running');
    expect(await lastStatus(bob)).toMatchObject({ queue_remaining: 1 });
    await finishRunning(h, running, alice);
  });

  it('refuses with words that say what is true', async () => {
    const nothing = await postJson(h, '/interrupt', keys.bob.auth, {});
    expect(nothing.status).toBe(403);
    expect(nothing.json<Err>().error.message).toBe('Nothing is running now, and you have no job queued: there is nothing of yours to interrupt.');
    const running = (await submit(h, keys.alice.auth)).id;
    await startRunning(h, running, alice);
    const other = await postJson(h, '/api/interrupt', keys.bob.auth, {});
    expect(other.status).toBe(403);
    expect(other.json<Err>().error.message).toBe("The job running now is another key's, and you have no job queued: you can only interrupt your own jobs.");
    await finishRunning(h, running, alice);
  });
});

describe('"Clear" for a key', () => {
  it('clears its own pending jobs and history, nobody else’s', async () => {
    const a = (await submit(h, keys.alice.auth)).id;
    const b1 = (await submit(h, keys.bob.auth)).id;
    const b2 = (await submit(h, keys.bob.auth)).id;
    const res = await postJson(h, '/api/queue', keys.bob.auth, { clear: true });
    expect(res.status).toBe(200);
    expect(h.fake.state.pending.map((i) => i[1])).toEqual([a]);
    for (const id of [b1, b2]) expect(h.stack.proxy.ledger.get(id)?.state).toBe('deleted');
    expect(await lastStatus(bob)).toMatchObject({ queue_remaining: 0 });
    // History: bob's finished job goes, alice's stays.
    const done = (await submit(h, keys.bob.auth)).id;
    await h.fake.runFakeJob(a, undefined, 1);
    await h.fake.runFakeJob(done, undefined, 1);
    await get(h, '/history', ADMIN);
    expect((await postJson(h, '/history', keys.bob.auth, { clear: true })).status).toBe(200);
    expect(h.fake.state.history.has(done)).toBe(false);
    expect(h.fake.state.history.has(a)).toBe(true);
  });
});

describe('server logs for a key', () => {
  it('get ComfyUI’s shapes with a note and never reach ComfyUI; admin’s are forwarded', async () => {
    const mark = h.fake.received.length;
    const logs = await get(h, '/internal/logs', keys.bob.auth);
    expect(logs.status).toBe(200);
    expect(logs.json<string>()).toMatch(/ - Server logs are shown to the admin of this ComfyUI only\.\n$/);
    const raw = await get(h, '/internal/logs/raw', keys.bob.auth);
    expect(raw.status).toBe(200);
    const body = raw.json<{ entries: { t: string; m: string }[]; size: { cols: number; rows: number } }>();
    expect(body.entries.map((e) => e.m)).toEqual(['Server logs are shown to the admin of this ComfyUI only.\n']);
    expect(body.size).toEqual({ cols: 80, rows: 24 });
    const sub = await postJson(h, '/internal/logs/subscribe', keys.bob.auth, { enabled: true, clientId: bob.clientId }).catch(() => null);
    expect(sub?.status).toBe(403); // POST is not the subscribe route: still admin-only
    const { request } = await import('../helpers/http');
    const patch = await request(`${h.url}/internal/logs/subscribe`, {
      method: 'PATCH',
      headers: { ...keys.bob.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ enabled: true, clientId: bob.clientId }),
    });
    expect(patch.status).toBe(200);
    expect(h.fake.received.slice(mark).filter((r) => r.url.startsWith('/internal'))).toEqual([]);
    // The rest of /internal, and other spellings of these paths, stay admin-only.
    for (const path of ['/internal/files', '/internal/folder_paths', '/internal//logs', '/internal/%6cogs', '/api/internal/logs', '/internal/logs/cache']) {
      expect((await get(h, path, keys.bob.auth)).status, path).toBe(403);
    }
    await get(h, '/internal/logs', ADMIN);
    expect(h.fake.received.slice(mark).filter((r) => r.url === '/internal/logs')).toHaveLength(1);
  });
});
