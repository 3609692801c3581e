// Newer ComfyUI's /api/jobs under the sharing rules: each key lists and reads only its own jobs, another
// key's id answers ComfyUI's 404, admin sees all; pagination counts only the caller's jobs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson, workflow } from '../fixtures/fakeComfyClient';
import { ADMIN_KEY, type Harness } from '../helpers/proxyHarness';
import { startTwoKeys } from './sharing.twoKeys.helpers';

let h: Harness;
let alice: Record<string, string>;
let bob: Record<string, string>;
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const ids: Record<string, string[]> = { alice: [], bob: [] };

beforeAll(async () => {
  ({ h, alice, bob } = await startTwoKeys());
  for (const [who, auth, n] of [['alice', alice, 3], ['bob', bob, 2]] as const) {
    for (let i = 0; i < n; i++) {
      const res = await postJson(h.url, '/prompt', { prompt: workflow(`${who}-${i}`) }, auth);
      expect(res.status).toBe(200);
      ids[who]?.push((res.json as { prompt_id: string }).prompt_id);
    }
  }
  for (const id of [...(ids.alice ?? []), ...(ids.bob ?? [])]) await h.fake.waitForJob(id, 'finished');
});
afterAll(() => h.close());

type JobsPage = { jobs: { id: string }[]; pagination: { offset: number; limit: number | null; total: number; has_more: boolean } };

describe('/api/jobs through the proxy', () => {
  it('lists only the caller’s jobs, with pagination over them alone', async () => {
    const a = await getJson<JobsPage>(h.url, '/api/jobs', alice);
    expect(a.status).toBe(200);
    expect(a.json.jobs.map((j) => j.id).sort()).toEqual([...(ids.alice ?? [])].sort());
    expect(a.json.pagination.total).toBe(3);
    const page = await getJson<JobsPage>(h.url, '/api/jobs?limit=2&offset=1', alice);
    expect(page.json.jobs).toHaveLength(2);
    expect(page.json.pagination).toEqual({ offset: 1, limit: 2, total: 3, has_more: false });
    const b = await getJson<JobsPage>(h.url, '/api/jobs', bob);
    expect(b.json.jobs.map((j) => j.id).sort()).toEqual([...(ids.bob ?? [])].sort());
  });

  it('admin lists every job', async () => {
    const all = await getJson<JobsPage>(h.url, '/api/jobs', admin);
    expect(all.json.pagination.total).toBe(5);
  });

  it('another key’s job id answers 404 "Job not found" without reaching ComfyUI; the owner and admin read it', async () => {
    const bobsJob = ids.bob?.[0] ?? '';
    const before = h.fake.received.filter((r) => r.url.startsWith(`/api/jobs/${bobsJob}`)).length;
    const asAlice = await getJson<{ error: string }>(h.url, `/api/jobs/${bobsJob}`, alice);
    expect(asAlice).toEqual({ status: 404, json: { error: 'Job not found' } });
    expect(h.fake.received.filter((r) => r.url.startsWith(`/api/jobs/${bobsJob}`)).length).toBe(before);
    expect((await getJson<{ id: string }>(h.url, `/api/jobs/${bobsJob}`, bob)).json.id).toBe(bobsJob);
    expect((await getJson<{ id: string }>(h.url, `/api/jobs/${bobsJob}`, admin)).json.id).toBe(bobsJob);
  });

  it('passes ComfyUI’s own validation errors on, and checks limit itself', async () => {
    expect((await getJson(h.url, '/api/jobs?status=bogus', alice)).status).toBe(400);
    expect((await getJson(h.url, '/api/jobs?limit=0', alice)).status).toBe(400);
  });
});
