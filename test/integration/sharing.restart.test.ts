// A restart of the proxy stack on the same data dir (SPEC §8.1, §2.4): job ownership (the ledger in
// jobs.json), output ownership, client-id owners and all three quotas survive; ComfyUI keeps running meanwhile.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxyStack, type ProxyStack } from '../../main/compose/proxyStack';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { testStackConfig, type Harness } from '../helpers/proxyHarness';
import { ADMIN_KEY, createKey, get, openWs, postJson, reached, runToEnd, submit, wsRefusal, type Err, type TestKey } from './sharing.helpers';

let fake: FakeComfy;
let dataDir: string;
let stack: ProxyStack;
let clock = Date.UTC(2031, 6, 1, 12, 0, 0);
let alice: TestKey;
let bob: TestKey;
let chatty: TestKey;
const job = { done: '', pending1: '', pending2: '', bob: '' };
let output = '';

/** The shape the sharing helpers take, over the current stack. */
function harness(): Harness {
  return { fake, stack, url: stack.proxy.url, port: stack.proxy.port, dataDir, auth: { authorization: `Bearer ${ADMIN_KEY}` }, close: async () => {} };
}

async function start(): Promise<void> {
  stack = await startProxyStack(testStackConfig(fake.url, dataDir, { now: () => clock }));
}

beforeAll(async () => {
  fake = await startFakeComfy();
  dataDir = await mkdtemp(join(tmpdir(), 'sharing-restart-'));
  await start();
  const h = harness();
  alice = await createKey(h, { name: 'alice', rate_limit: 3, max_queued: 2 });
  bob = await createKey(h, { name: 'bob' });
  chatty = await createKey(h, { name: 'chatty', requests_per_minute: 3 });
  const socket = await openWs(h, { clientId: 'alice-tab', headers: alice.auth });
  job.done = (await submit(h, alice.auth, { client_id: 'alice-tab' })).id;
  await runToEnd(h, job.done, socket);
  const executed = socket.about(job.done).find((m) => m.type === 'executed');
  output = (executed?.data.output as { images: { filename: string }[] }).images[0]?.filename ?? '';
  job.pending1 = (await submit(h, alice.auth)).id;
  job.pending2 = (await submit(h, alice.auth)).id;
  job.bob = (await submit(h, bob.auth)).id;
  for (let i = 0; i < 3; i++) expect((await get(h, '/api/system_stats', chatty.auth)).status).toBe(200);
  await socket.close();
  await stack.close(500);
  await start();
});
afterAll(async () => {
  await stack.close(500);
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('after a restart on the same data dir', () => {
  it('jobs.json holds the ledger: each job with its owner, no secrets', async () => {
    const text = await readFile(join(dataDir, 'jobs.json'), 'utf8');
    const saved = JSON.parse(text) as { jobs: { promptId: string; owner: string }[]; clients: Record<string, string> };
    const owners = Object.fromEntries(saved.jobs.map((j) => [j.promptId, j.owner]));
    expect(owners).toMatchObject({ [job.done]: alice.id, [job.pending1]: alice.id, [job.pending2]: alice.id, [job.bob]: bob.id });
    expect(saved.clients['alice-tab']).toBe(alice.id);
    expect(text).not.toContain(alice.secret);
  });

  it('each key still sees only its own queue and history', async () => {
    const h = harness();
    const ids = (items: unknown[][]) => items.map((i) => i[1]);
    const aq = (await get(h, '/queue', alice.auth)).json<{ queue_pending: unknown[][] }>();
    expect(ids(aq.queue_pending)).toEqual([job.pending1, job.pending2]);
    const bq = (await get(h, '/queue', bob.auth)).json<{ queue_pending: unknown[][] }>();
    expect(ids(bq.queue_pending)).toEqual([job.bob]);
    expect(Object.keys((await get(h, '/history', alice.auth)).json<object>())).toEqual([job.done]);
    expect((await get(h, `/history/${job.done}`, bob.auth)).json()).toEqual({});
  });

  it('outputs stay their owner’s', async () => {
    const h = harness();
    expect((await get(h, `/view?filename=${output}&type=output`, alice.auth)).status).toBe(200);
    const before = reached(h, /\/view$/);
    expect((await get(h, `/view?filename=${output}&type=output`, bob.auth)).status).toBe(404);
    expect(reached(h, /\/view$/)).toBe(before);
  });

  it('another key still cannot delete or interrupt them, nor take a clientId', async () => {
    const h = harness();
    const before = h.fake.received.length;
    expect((await postJson(h, '/queue', bob.auth, { delete: [job.pending1] })).status).toBe(200);
    expect(h.fake.received.slice(before).filter((r) => r.method === 'POST')).toEqual([]);
    expect(h.fake.state.pending.map((i) => i[1])).toContain(job.pending1);
    const ws = await wsRefusal(h, { clientId: 'alice-tab', headers: bob.auth });
    expect(ws.status).toBe(403);
    expect(ws.body?.error.type).toBe('client_id_in_use');
  });

  it('quotas carry over: the queue is still full, then the hour’s jobs are spent, and the minute’s requests', async () => {
    const h = harness();
    const full = await submit(h, alice.auth);
    expect(full.res.status).toBe(429);
    expect(full.res.headers['ratelimit-policy']).toBe('"queue";q=2');
    await postJson(h, '/queue', alice.auth, { delete: [job.pending2] });
    const spent = await submit(h, alice.auth);
    expect(spent.res.status).toBe(429);
    expect(spent.res.json<Err>().error.message).toMatch(/3 jobs per hour/);
    const chat = await get(h, '/api/system_stats', chatty.auth);
    expect(chat.status).toBe(429);
    expect(chat.headers['ratelimit-policy']).toBe('"requests";q=3;w=60');
  });
});
