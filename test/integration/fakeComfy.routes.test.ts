// The fake ComfyUI's queue, history and jobs routes over real HTTP: POST /prompt's rules, the queue entry shape
// and the credentials older and newer servers show or hide, deletes and clears, history paging, /api/jobs.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy, type FakeComfyOptions } from '../fixtures/fakeComfy';
import { getJson, postJson, workflow } from '../fixtures/fakeComfyClient';

let fake: FakeComfy;
async function start(opts: FakeComfyOptions = {}): Promise<FakeComfy> {
  fake = await startFakeComfy({ jobMs: 0, ...opts });
  return fake;
}
afterEach(async () => {
  await fake.close();
});

type Queue = { queue_running: unknown[][]; queue_pending: unknown[][] };

describe('POST /prompt', () => {
  it('takes the client’s prompt_id, number and front, reads client_id from the top level over extra_data, and answers {prompt_id, number, node_errors}', async () => {
    await start();
    const a = await postJson(fake.url, '/prompt', { prompt: workflow(1), prompt_id: 'mine', client_id: 'top', extra_data: { client_id: 'inner', x: 1 } });
    expect(a).toMatchObject({ status: 200, json: { prompt_id: 'mine', number: 0, node_errors: {} } });
    const b = await postJson(fake.url, '/api/prompt', { prompt: workflow(2), extra_data: { client_id: 'inner' } });
    expect((b.json as { prompt_id: string }).prompt_id).toMatch(/^[0-9a-f-]{36}$/);
    const front = await postJson(fake.url, '/prompt', { prompt: workflow(3), front: true });
    expect((front.json as { number: number }).number).toBe(-2);
    const numbered = await postJson(fake.url, '/prompt', { prompt: workflow(4), number: 100 });
    expect((numbered.json as { number: number }).number).toBe(100);
    const q = (await getJson<Queue>(fake.url, '/queue')).json;
    // ComfyUI returns its heap array as it is (execution.py get_current_queue): -2 was pushed third and sifted
    // above 0, which moved to the third slot.
    expect(q.queue_pending.map((i) => [i[0], i[3]])).toEqual([[-2, {}], [1, { client_id: 'inner' }], [0, { client_id: 'top', x: 1 }], [100, {}]]);
    expect(q.queue_pending[2]).toEqual([0, 'mine', workflow(1), { client_id: 'top', x: 1 }, ['9']]);
    expect(fake.state.runOrder().map((i) => i[0])).toEqual([-2, 0, 1, 100]);
  });

  it('answers ComfyUI’s errors: no prompt 400 (the number is used up anyway), a prompt that is not a dict 500 or 400, node checks in comfy mode', async () => {
    await start();
    expect(await postJson(fake.url, '/prompt', { client_id: 'x' })).toMatchObject({ status: 400, json: { error: { type: 'no_prompt', message: 'No prompt provided' }, node_errors: {} } });
    expect((await postJson(fake.url, '/prompt', { prompt: 'text' })).status).toBe(500);
    expect((await postJson(fake.url, '/prompt', { prompt: 7 })).status).toBe(500);
    expect(await postJson(fake.url, '/prompt', { prompt: [] })).toMatchObject({ status: 400, json: { error: { type: 'prompt_no_outputs' } } });
    expect(await postJson(fake.url, '/prompt', { prompt: {} })).toMatchObject({ status: 200, json: { number: 4 } }); // lenient
    fake.validation = 'comfy';
    expect(await postJson(fake.url, '/prompt', { prompt: {} })).toMatchObject({ status: 400, json: { error: { type: 'prompt_no_outputs' } } });
    expect(await postJson(fake.url, '/prompt', { prompt: { '1': { class_type: 'Nope', inputs: {} } } })).toMatchObject({
      status: 400, json: { error: { type: 'invalid_prompt', message: 'Cannot execute because node Nope does not exist.', details: "Node ID '#1'" } },
    });
    expect(await postJson(fake.url, '/prompt', { prompt: { '1': { inputs: {} } } })).toMatchObject({ status: 400, json: { error: { type: 'invalid_prompt', details: "Node ID '#1'" } } });
    expect((await postJson(fake.url, '/prompt', { prompt: workflow(1) })).status).toBe(200);
  });
});

describe('GET /queue and credentials', () => {
  const extra = { api_key_comfy_org: 'comfyui-key-123', auth_token_comfy_org: 'firebase-token', client_id: 'c' };

  it('older servers echo api_key_comfy_org/auth_token_comfy_org in queued items; history never keeps them', async () => {
    await start();
    const { json } = await postJson(fake.url, '/prompt', { prompt: workflow(1), extra_data: extra });
    const id = (json as { prompt_id: string }).prompt_id;
    expect((await getJson<Queue>(fake.url, '/queue')).json.queue_pending[0]?.[3]).toEqual(extra);
    await fake.runFakeJob(id, undefined, 1);
    const text = JSON.stringify((await getJson(fake.url, `/history/${id}`)).json);
    expect(text).not.toContain('comfyui-key-123');
    expect(text).not.toContain('firebase-token');
  });

  it('servers from before July 2025 (legacyHistory) keep them in /history as well', async () => {
    await start({ legacyHistory: true });
    await postJson(fake.url, '/prompt', { prompt: workflow(1), extra_data: extra, prompt_id: 'old' });
    await fake.runFakeJob('old', undefined, 1);
    expect(JSON.stringify((await getJson(fake.url, '/history/old')).json)).toContain('comfyui-key-123');
  });

  it('sensitive mode (newer servers) keeps them out of /queue and /api/jobs and adds create_time', async () => {
    await start({ sensitive: true });
    await postJson(fake.url, '/prompt', { prompt: workflow(1), extra_data: extra, prompt_id: 'p' });
    const item = (await getJson<Queue>(fake.url, '/queue')).json.queue_pending[0];
    expect(item).toHaveLength(5);
    expect(item?.[3]).toEqual({ client_id: 'c', create_time: expect.any(Number) });
    expect(JSON.stringify((await getJson(fake.url, '/api/jobs/p')).json)).not.toContain('comfyui-key-123');
  });
});

describe('deletes, clears and history', () => {
  it('POST /queue deletes pending ids only (a running job stays) and clears; POST /history deletes and clears; /history/{unknown} is {}', async () => {
    await start();
    for (const id of ['r', 'p1', 'p2', 'p3']) await postJson(fake.url, '/prompt', { prompt: workflow(id, { ms: 60_000 }), prompt_id: id });
    fake.autoRun = true;
    await fake.waitForJob('r', 'running');
    expect((await postJson(fake.url, '/queue', { delete: ['r', 'p2'] })).status).toBe(200);
    let q = (await getJson<Queue>(fake.url, '/queue')).json;
    expect([q.queue_running.map((i) => i[1]), q.queue_pending.map((i) => i[1])]).toEqual([['r'], ['p1', 'p3']]);
    await postJson(fake.url, '/api/queue', { clear: true });
    q = (await getJson<Queue>(fake.url, '/queue')).json;
    expect([q.queue_running.length, q.queue_pending.length]).toEqual([1, 0]);
    fake.interrupt();
    await fake.waitForJob('r', 'finished');
    fake.jobMs = 0;
    for (const id of ['h1', 'h2', 'h3']) {
      await postJson(fake.url, '/prompt', { prompt: workflow(id, { ms: 0 }), prompt_id: id });
      await fake.waitForJob(id, 'finished');
    }
    expect(Object.keys((await getJson(fake.url, '/history?max_items=2')).json as object)).toEqual(['h2', 'h3']);
    expect(Object.keys((await getJson(fake.url, '/history?max_items=2&offset=1')).json as object)).toEqual(['h1', 'h2']);
    expect((await fetch(`${fake.url}/history?max_items=x`)).status).toBe(500);
    await postJson(fake.url, '/history', { delete: ['h1', 'nope'] });
    expect(Object.keys((await getJson(fake.url, '/history')).json as object)).toEqual(['r', 'h2', 'h3']);
    expect((await getJson(fake.url, '/history/h1')).json).toEqual({});
    await postJson(fake.url, '/history', { clear: true });
    expect((await getJson(fake.url, '/api/history')).json).toEqual({});
  });
});

describe('/api/jobs (newer ComfyUI)', () => {
  it('lists running, pending and finished jobs, answers one job with its outputs, 404 for unknown ids, only under /api', async () => {
    await start({ sensitive: true });
    await postJson(fake.url, '/prompt', { prompt: workflow(1), prompt_id: 'done', extra_data: { extra_pnginfo: { workflow: { id: 'wf-1' } } } });
    await fake.runFakeJob('done', undefined, 1);
    await postJson(fake.url, '/prompt', { prompt: workflow(2, { fail: 'nope' }), prompt_id: 'failed' });
    await fake.runFakeJob('failed', undefined, 1);
    await postJson(fake.url, '/prompt', { prompt: workflow(3), prompt_id: 'waiting' });
    const list = (await getJson<{ jobs: Record<string, unknown>[]; pagination: unknown }>(fake.url, '/api/jobs?sort_order=asc')).json;
    expect(list.jobs.map((j) => [j.id, j.status])).toEqual([['done', 'completed'], ['failed', 'failed'], ['waiting', 'pending']]);
    expect(list.pagination).toEqual({ offset: 0, limit: null, total: 3, has_more: false });
    expect(list.jobs[0]).toMatchObject({ workflow_id: 'wf-1', outputs_count: 1, preview_output: { nodeId: '9', mediaType: 'images', type: 'output' } });
    expect((await getJson<{ jobs: unknown[] }>(fake.url, '/api/jobs?status=failed&limit=1')).json.jobs).toHaveLength(1);
    const one = (await getJson<Record<string, unknown>>(fake.url, '/api/jobs/done')).json;
    expect(Object.keys(one)).toEqual(expect.arrayContaining(['outputs', 'execution_status', 'workflow', 'execution_start_time', 'execution_end_time']));
    expect(await getJson(fake.url, '/api/jobs/unknown')).toEqual({ status: 404, json: { error: 'Job not found' } });
    expect((await getJson(fake.url, '/api/jobs?status=bogus')).status).toBe(400);
    expect((await fetch(`${fake.url}/jobs`)).status).toBe(404);
  });

  it('is absent when jobsApi is off (older servers)', async () => {
    await start({ jobsApi: false });
    expect((await fetch(`${fake.url}/api/jobs`)).status).toBe(404);
  });
});
