// WebSocket relay under the sharing rules (SPEC §8.3): three keys working at once each get exactly their own
// jobs' messages and preview frames; `status` reaches everyone; a job queued on ComfyUI directly (foreign,
// no client_id: ComfyUI sends its progress and previews to every socket) reaches only admin sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, barrier, openWs, runToEnd, startSharing, submit, workflow, type TestKey, type TestSocket } from './sharing.helpers';

let h: Harness;
let keys: Record<'alice' | 'bob' | 'carol', TestKey>;

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: {}, bob: {}, carol: { scopes: ['generate'] } }));
});
afterAll(async () => {
  await h.close();
});

const JOB_MESSAGES = ['execution_start', 'execution_cached', 'executing', 'progress', 'executed', 'execution_success'];

describe('three keys doing real work at once', () => {
  it('each socket gets its own jobs’ messages and previews, none of the others’, and every status', async () => {
    const names = ['alice', 'bob', 'carol'] as const;
    const sockets = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await openWs(h, { headers: keys[n].auth })]))) as Record<
      (typeof names)[number],
      TestSocket
    >;
    const admin = await openWs(h, { headers: ADMIN });
    // Two jobs each, submitted concurrently (scripts and browsers do not take turns).
    const submitted = await Promise.all(names.flatMap((n) => [0, 1].map(async () => ({ n, ...(await submit(h, keys[n].auth)) }))));
    for (const s of submitted) expect(s.res.status).toBe(200);
    // ComfyUI runs them one at a time, in queue order.
    for (const s of submitted) await runToEnd(h, s.id, sockets[s.n], { previews: true });
    await barrier(h, [...Object.values(sockets), admin]);

    for (const n of names) {
      const own = submitted.filter((s) => s.n === n).map((s) => s.id);
      const seen = new Set(sockets[n].texts.map((m) => m.data.prompt_id).filter((id) => id !== undefined));
      expect([...seen].sort()).toEqual([...own].sort());
      for (const id of own) expect([...new Set(sockets[n].about(id).map((m) => m.type))]).toEqual(expect.arrayContaining(JOB_MESSAGES));
      expect(sockets[n].binaries.length).toBe(own.length * 2);
      // The queue counts are everyone's business.
      expect(sockets[n].texts.filter((m) => m.type === 'status').length).toBeGreaterThan(submitted.length);
    }
    // ComfyUI sends a job's messages to its client_id's socket only: admin's own socket has none of them.
    expect(admin.texts.filter((m) => m.data.prompt_id !== undefined)).toEqual([]);
    for (const s of [...Object.values(sockets), admin]) await s.close();
  });
});

describe('a job queued on ComfyUI directly, without client_id (foreign)', () => {
  it('its progress, messages and previews reach admin sockets only', async () => {
    const alice = await openWs(h, { headers: keys.alice.auth });
    const bob = await openWs(h, { headers: keys.bob.auth });
    const admin = await openWs(h, { headers: ADMIN });
    const direct = await request(`${h.fake.url}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow() }),
    });
    const id = direct.json<{ prompt_id: string }>().prompt_id;
    await runToEnd(h, id, null, { previews: true });
    await barrier(h, [alice, bob, admin]);
    expect(admin.about(id).map((m) => m.type)).toContain('progress');
    expect(admin.binaries.length).toBe(2);
    for (const s of [alice, bob]) {
      expect(s.about(id)).toEqual([]);
      expect(s.binaries).toEqual([]);
    }
    expect(h.stack.proxy.ledger.get(id)?.owner).toBe('@foreign');
    for (const s of [alice, bob, admin]) await s.close();
  });

  it('a key’s socket keeps getting its own job while a foreign one broadcasts', async () => {
    const alice = await openWs(h, { headers: keys.alice.auth });
    const bob = await openWs(h, { headers: keys.bob.auth });
    const mine = await submit(h, keys.alice.auth, { client_id: alice.clientId });
    await runToEnd(h, mine.id, alice, { previews: true });
    const direct = await request(`${h.fake.url}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: workflow() }),
    });
    await runToEnd(h, direct.json<{ prompt_id: string }>().prompt_id, null, { previews: true });
    await barrier(h, [alice, bob]);
    expect(alice.binaries.length).toBe(2);
    expect(bob.binaries.length).toBe(0);
    expect(bob.about(mine.id)).toEqual([]);
    for (const s of [alice, bob]) await s.close();
  });
});
