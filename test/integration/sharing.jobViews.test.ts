// Reading ComfyUI's queue and history under the sharing rules (SPEC §8.3): each key sees only its own jobs
// in /queue, /history and /history/{id} (every spelling: /api/…, percent-encoded), another key's job id
// answers {} as an unknown id does, admin sees everything including foreign jobs, and the Comfy credentials
// older ComfyUI versions echo in queue items and history are never shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { ADMIN, finishRunning, get, openWs, reached, runToEnd, startRunning, startSharing, submit, workflow, type TestKey, type TestSocket } from './sharing.helpers';

type Queue = { queue_running: unknown[][]; queue_pending: unknown[][] };
const ids = (items: unknown[][]) => items.map((i) => i[1]);
const CLOUD_SECRET = 'comfyui-0123456789abcdef-user-secret';

let h: Harness;
let keys: Record<'alice' | 'bob', TestKey>;
let alice: TestSocket;
let bob: TestSocket;
const job = { aDone: '', aPending: '', aRunning: '', bPending: '', foreign: '' };

beforeAll(async () => {
  ({ h, keys } = await startSharing({ alice: {}, bob: { scopes: ['generate'] } }));
  alice = await openWs(h, { headers: keys.alice.auth });
  bob = await openWs(h, { headers: keys.bob.auth });
  const secret = { extra_data: { api_key_comfy_org: CLOUD_SECRET, auth_token_comfy_org: 'firebase-token-secret' } };
  job.aDone = (await submit(h, keys.alice.auth, secret)).id;
  await runToEnd(h, job.aDone, alice);
  job.aRunning = (await submit(h, keys.alice.auth, secret)).id;
  job.aPending = (await submit(h, keys.alice.auth, secret)).id;
  job.bPending = (await submit(h, keys.bob.auth)).id;
  const direct = await request(`${h.fake.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: workflow() }) });
  job.foreign = direct.json<{ prompt_id: string }>().prompt_id;
  await startRunning(h, job.aRunning, alice);
});
afterAll(async () => {
  await alice.close();
  await bob.close();
  await h.close();
});

describe('/queue', () => {
  it('shows a key its own running and pending jobs only, in every spelling', async () => {
    for (const path of ['/queue', '/api/queue', '/%71ueue', '/api/que%75e']) {
      const a = (await get(h, path, keys.alice.auth)).json<Queue>();
      expect(ids(a.queue_running), path).toEqual([job.aRunning]);
      expect(ids(a.queue_pending), path).toEqual([job.aPending]);
      const b = (await get(h, path, keys.bob.auth)).json<Queue>();
      expect(ids(b.queue_running), path).toEqual([]);
      expect(ids(b.queue_pending), path).toEqual([job.bPending]);
    }
  });

  it('shows admin every job, foreign ones included', async () => {
    const q = (await get(h, '/api/queue', ADMIN)).json<Queue>();
    expect(ids(q.queue_running)).toEqual([job.aRunning]);
    expect(ids(q.queue_pending).sort()).toEqual([job.aPending, job.bPending, job.foreign].sort());
  });

  it('never shows the Comfy credentials an older ComfyUI echoes in extra_data', async () => {
    // The fake echoes them, like ComfyUI before it kept them out of /queue.
    expect(JSON.stringify(h.fake.state.queue())).toContain(CLOUD_SECRET);
    for (const who of [keys.alice.auth, ADMIN]) {
      const res = await get(h, '/queue', who);
      expect(res.text).not.toContain(CLOUD_SECRET);
      expect(res.text).not.toContain('firebase-token-secret');
      expect(res.text).toContain(job.aPending);
    }
  });
});

describe('/history and /history/{id}', () => {
  beforeAll(async () => {
    await finishRunning(h, job.aRunning, alice);
  });

  it('/history lists a key’s own finished jobs only, oldest first; admin sees all', async () => {
    const a = (await get(h, '/history', keys.alice.auth)).json<Record<string, unknown>>();
    expect(Object.keys(a)).toEqual([job.aDone, job.aRunning]);
    const b = (await get(h, '/api/history', keys.bob.auth)).json<Record<string, unknown>>();
    expect(b).toEqual({});
    const all = (await get(h, '/api/history', ADMIN)).json<Record<string, unknown>>();
    expect(Object.keys(all)).toEqual(expect.arrayContaining([job.aDone, job.aRunning]));
  });

  it('max_items counts the key’s own jobs (ComfyUI’s would count everyone’s)', async () => {
    const a = (await get(h, '/history?max_items=1', keys.alice.auth)).json<Record<string, unknown>>();
    expect(Object.keys(a)).toEqual([job.aRunning]);
  });

  it('/history/{id} of another key’s job answers {} like an unknown id, in every spelling, and is not fetched', async () => {
    for (const path of [`/history/${job.aDone}`, `/api/history/${job.aDone}`, `/histor%79/${job.aDone}`, `/api/history/${encodeURIComponent(job.aDone)}`]) {
      const before = reached(h, new RegExp(`/history/`));
      const res = await get(h, path, keys.bob.auth);
      expect(res.status, path).toBe(200);
      expect(res.json(), path).toEqual({});
      expect(reached(h, /\/history\//), path).toBe(before);
    }
    expect((await get(h, '/history/not-a-job', keys.bob.auth)).json()).toEqual({});
  });

  it('/history/{id} of the owner’s and for admin answers the entry, without the echoed credentials', async () => {
    for (const who of [keys.alice.auth, ADMIN]) {
      const res = await get(h, `/api/history/${job.aDone}`, who);
      const body = res.json<Record<string, { outputs: unknown }>>();
      expect(Object.keys(body)).toEqual([job.aDone]);
      expect(res.text).not.toContain(CLOUD_SECRET);
    }
  });

  it('a foreign job is admin’s alone', async () => {
    await runToEnd(h, job.foreign, null);
    expect((await get(h, `/history/${job.foreign}`, keys.alice.auth)).json()).toEqual({});
    expect(Object.keys((await get(h, `/history/${job.foreign}`, ADMIN)).json<object>())).toEqual([job.foreign]);
    expect(Object.keys((await get(h, '/history', keys.alice.auth)).json<object>())).not.toContain(job.foreign);
  });
});

describe('/api/jobs (newer ComfyUI’s job list)', () => {
  type Jobs = { jobs: { id: string }[]; pagination: { total: number } };
  it('lists a key’s own jobs only; admin sees every job', async () => {
    const a = (await get(h, '/api/jobs', keys.alice.auth)).json<Jobs>();
    const mine = a.jobs.map((j) => j.id);
    expect(mine).toEqual(expect.arrayContaining([job.aDone, job.aRunning, job.aPending]));
    expect(mine).not.toContain(job.bPending);
    expect(mine).not.toContain(job.foreign);
    expect(a.pagination.total).toBe(mine.length);
    const all = (await get(h, '/api/jobs', ADMIN)).json<Jobs>().jobs.map((j) => j.id);
    expect(all).toEqual(expect.arrayContaining([job.aDone, job.bPending, job.foreign]));
  });

  it('/api/jobs/{id} of another key’s job answers like an unknown id; the owner’s answers the job', async () => {
    const other = await get(h, `/api/jobs/${job.aDone}`, keys.bob.auth);
    const unknown = await get(h, '/api/jobs/not-a-job', keys.bob.auth);
    expect(other.status).toBe(404);
    expect(other.json()).toEqual(unknown.json());
    const own = await get(h, `/api/jobs/${job.aDone}`, keys.alice.auth);
    expect(own.status).toBe(200);
    expect(own.json<{ id: string }>().id).toBe(job.aDone);
  });
});
