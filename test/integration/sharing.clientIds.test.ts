// Client ids (SPEC §8.3): a job queued without client_id gets the key's newest open socket's clientId, else
// one unique to the key, so its progress and previews reach only that key; a client_id belongs to the first
// principal that uses it, and another key (or admin) using it — on the WebSocket or in a prompt — gets
// 403 client_id_in_use without anything reaching ComfyUI.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, barrier, forwardedPrompt, openWs, reached, runToEnd, startSharing, submit, wsRefusal, type Err, type TestKey } from './sharing.helpers';

let h: Harness;
let keys: Record<'alice' | 'bob' | 'dave', TestKey>;

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: {}, bob: {}, dave: {} }));
});
afterAll(async () => {
  await h.close();
});

describe('a job queued without client_id', () => {
  it('with no socket open gets an id unique to the key, the same for each of its jobs', async () => {
    const a1 = await submit(h, keys.alice.auth);
    const a2 = await submit(h, keys.alice.auth);
    const b1 = await submit(h, keys.bob.auth);
    const aliceId = forwardedPrompt(h, a1.id).client_id;
    expect(aliceId).toMatch(/^cac-[0-9a-f]{24}$/);
    expect(forwardedPrompt(h, a2.id).client_id).toBe(aliceId);
    expect(forwardedPrompt(h, b1.id).client_id).toMatch(/^cac-/);
    expect(forwardedPrompt(h, b1.id).client_id).not.toBe(aliceId);
    // The key may open its socket with that id later and get the job's messages; another key may not.
    const late = await openWs(h, { clientId: String(aliceId), headers: keys.alice.auth });
    const refused = await wsRefusal(h, { clientId: String(aliceId), headers: keys.bob.auth });
    expect(refused.status).toBe(403);
    expect(refused.body?.error.type).toBe('client_id_in_use');
    await runToEnd(h, a1.id, late);
    expect(late.about(a1.id).map((m) => m.type)).toContain('progress');
    for (const id of [a2.id, b1.id]) await runToEnd(h, id, null);
    await late.close();
  });

  it('with sockets open goes to the newest one still open, and its progress and previews reach only that key', async () => {
    const s1 = await openWs(h, { headers: keys.alice.auth });
    const s2 = await openWs(h, { headers: keys.alice.auth });
    const bob = await openWs(h, { headers: keys.bob.auth });
    const admin = await openWs(h, { headers: ADMIN });
    const job = await submit(h, keys.alice.auth);
    expect(forwardedPrompt(h, job.id).client_id).toBe(s2.clientId);
    await runToEnd(h, job.id, s2, { previews: true });
    await barrier(h, [s1, s2, bob, admin]);
    expect(s2.about(job.id).map((m) => m.type)).toEqual(expect.arrayContaining(['execution_start', 'progress', 'executed', 'execution_success']));
    expect(s2.binaries.length).toBe(2);
    for (const other of [s1, bob, admin]) {
      expect(other.about(job.id)).toEqual([]);
      expect(other.binaries).toEqual([]);
    }
    // The newest socket closes: the next job goes to the one still open.
    await s2.close();
    await vi.waitFor(() => expect(h.stack.proxy.connections.newestSocketOf(keys.alice.id)).toBe(s1.clientId));
    const next = await submit(h, keys.alice.auth);
    expect(forwardedPrompt(h, next.id).client_id).toBe(s1.clientId);
    await runToEnd(h, next.id, s1);
    for (const s of [s1, bob, admin]) await s.close();
  });

  it('after a reload (a second socket with the same clientId, then the first one closes) still goes to that clientId', async () => {
    const first = await openWs(h, { clientId: 'alice-tab-1', headers: keys.alice.auth });
    const reloaded = await openWs(h, { clientId: 'alice-tab-1', headers: keys.alice.auth });
    await first.close();
    await vi.waitFor(() => expect(h.stack.proxy.connections.size).toBe(1));
    const job = await submit(h, keys.alice.auth);
    expect(forwardedPrompt(h, job.id).client_id).toBe('alice-tab-1');
    // (Whether ComfyUI still delivers to the reloaded socket is its business: its `finally: sockets.pop(sid)`
    // for the old socket drops the new one too — the same without the proxy.)
    await runToEnd(h, job.id, null);
    await reloaded.close();
  });

  it('is not blocked when another key squats on its key-unique id', async () => {
    // Dave never queued anything yet; Bob claims the id Dave's jobs would get by default.
    const squatted = `cac-${createHash('sha256').update(keys.dave.id).digest('hex').slice(0, 24)}`;
    const bob = await openWs(h, { clientId: squatted, headers: keys.bob.auth });
    const job = await submit(h, keys.dave.auth);
    expect(job.res.status).toBe(200);
    const given = forwardedPrompt(h, job.id).client_id;
    expect(given).not.toBe(squatted);
    expect(given).toMatch(/^cac-/);
    await runToEnd(h, job.id, null);
    await barrier(h, [bob]);
    expect(bob.about(job.id)).toEqual([]);
    await bob.close();
  });
});

describe('a clientId hijack attempt', () => {
  let alice: Awaited<ReturnType<typeof openWs>>;

  beforeAll(async () => {
    alice = await openWs(h, { clientId: 'alice-browser', headers: keys.alice.auth });
  });
  afterAll(async () => {
    await alice.close();
  });

  it('on the WebSocket is refused with 403 client_id_in_use, before any upstream socket', async () => {
    const upgrades = h.fake.received.filter((r) => r.upgrade).length;
    for (const who of [keys.bob.auth, ADMIN]) {
      const refused = await wsRefusal(h, { clientId: 'alice-browser', headers: who });
      expect(refused.status).toBe(403);
      expect(refused.body?.error.type).toBe('client_id_in_use');
    }
    expect(h.fake.received.filter((r) => r.upgrade).length).toBe(upgrades);
  });

  it('in a prompt body (client_id or extra_data.client_id) is refused with 403 and never queued', async () => {
    const before = reached(h, /\/prompt$/);
    for (const extra of [{ client_id: 'alice-browser' }, { extra_data: { client_id: 'alice-browser' } }]) {
      const { res } = await submit(h, keys.bob.auth, extra);
      expect(res.status).toBe(403);
      expect(res.json<Err>().error.type).toBe('client_id_in_use');
    }
    expect(reached(h, /\/prompt$/)).toBe(before);
  });

  it('another key cannot reuse a job’s prompt_id either', async () => {
    const mine = await submit(h, keys.alice.auth, { client_id: 'alice-browser' });
    const before = reached(h, /\/prompt$/);
    const { res } = await submit(h, keys.bob.auth, { prompt_id: mine.id });
    expect(res.status).toBe(403);
    expect(reached(h, /\/prompt$/)).toBe(before);
    await runToEnd(h, mine.id, alice);
  });

  it('the owner may reuse its own clientId (a reload), and the new socket gets the messages', async () => {
    const reloaded = await openWs(h, { clientId: 'alice-browser', headers: keys.alice.auth });
    const { res, id } = await submit(h, keys.alice.auth, { client_id: 'alice-browser' });
    expect(res.status).toBe(200);
    await runToEnd(h, id, reloaded);
    expect(reloaded.about(id).length).toBeGreaterThan(0);
    await reloaded.close();
  });

  it('a clientId stays its first owner’s after that owner’s sockets closed', async () => {
    const s = await openWs(h, { clientId: 'bob-script', headers: keys.bob.auth });
    await s.close();
    const refused = await wsRefusal(h, { clientId: 'bob-script', headers: keys.alice.auth });
    expect(refused.status).toBe(403);
  });
});
