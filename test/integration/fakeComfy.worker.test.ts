// The fake ComfyUI's worker and WebSocket routing, over real sockets: jobs one at a time in queue order, the
// message sequence, who hears what with and without a client_id, interrupt, errors, caching, sid replacement.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { getJson, labels, openSocket, postJson, workflow, type Frame, type TestSocket } from '../fixtures/fakeComfyClient';

let fake: FakeComfy;
const sockets: TestSocket[] = [];
beforeEach(async () => {
  fake = await startFakeComfy({ jobMs: 0 });
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await fake.close();
});

async function connect(clientId?: string): Promise<TestSocket> {
  const s = await openSocket(`ws://127.0.0.1:${fake.port}/ws${clientId === undefined ? '' : `?clientId=${clientId}`}`);
  await s.waitForType('status');
  sockets.push(s);
  return s;
}

async function queue(body: Record<string, unknown>): Promise<string> {
  const res = await postJson(fake.url, '/prompt', body);
  expect(res.status).toBe(200);
  return (res.json as { prompt_id: string }).prompt_id;
}

/** Everything a socket got up to a marker broadcast after the job: nothing can still be in flight. */
async function settled(...ss: TestSocket[]): Promise<Frame[][]> {
  const tag = `marker-${Math.random()}`;
  await fake.sendJson({ type: tag, data: {} });
  return Promise.all(ss.map(async (s) => {
    await s.waitForType(tag);
    return s.frames.slice(0, -1);
  }));
}

const isJob = (f: Frame): boolean => f.kind === 'binary' || f.msg.type !== 'status';

describe('fake ComfyUI worker', () => {
  it('runs jobs one at a time in queue-number order (front first); interrupt stops the running one, with or without its prompt_id', async () => {
    const a = await queue({ prompt: workflow(1, { ms: 60_000 }), prompt_id: 'A', client_id: 'c' });
    const b = await queue({ prompt: workflow(2, { ms: 60_000 }), prompt_id: 'B', client_id: 'c' });
    const front = await queue({ prompt: workflow(3), prompt_id: 'F', front: true });
    expect(fake.state.runOrder().map((i) => [i[0], i[1]])).toEqual([[-2, front], [0, a], [1, b]]);
    fake.autoRun = true;
    await fake.waitForJob('F', 'finished');
    await fake.waitForJob('A', 'running');
    const q = await getJson<{ queue_running: unknown[][]; queue_pending: unknown[][] }>(fake.url, '/queue');
    expect(q.json.queue_running.map((i) => i[1])).toEqual(['A']);
    expect(q.json.queue_pending.map((i) => i[1])).toEqual(['B']);
    expect((await postJson(fake.url, '/interrupt', { prompt_id: 'B' })).status).toBe(200); // not running: skipped
    expect(fake.currentJob()).toMatchObject({ promptId: 'A', interrupted: false });
    await postJson(fake.url, '/interrupt', ''); // no body: a global interrupt
    await fake.waitForJob('B', 'running');
    await postJson(fake.url, '/api/interrupt', { prompt_id: 'B' });
    await fake.waitForJob('B', 'finished');
    const h = (await getJson<Record<string, { status: { status_str: string; messages: [string, unknown][] } }>>(fake.url, '/history')).json;
    expect(Object.keys(h)).toEqual(['F', 'A', 'B']);
    expect(h.F?.status.status_str).toBe('success');
    expect(h.A?.status.messages.map((m) => m[0])).toEqual(['execution_start', 'execution_cached', 'execution_interrupted']);
    expect(h.B?.status.status_str).toBe('error');
  });

  it("sends a job's messages to its client_id's socket only, in ComfyUI's order; others get status", async () => {
    const alice = await connect('alice');
    const bob = await connect('bob');
    fake.previews = true;
    fake.autoRun = true;
    const id = await queue({ prompt: workflow(7, { steps: 2 }), client_id: 'alice' });
    await fake.waitForJob(id, 'finished');
    const [a, b] = await settled(alice, bob);
    expect(labels(b ?? []).slice(1)).toEqual(['status', 'status', 'status']); // queued, taken, done
    expect(labels(a ?? []).slice(1)).toEqual([
      'status', 'status', 'execution_start', 'execution_cached', 'progress_state', 'executing',
      'progress_state', 'progress', 'binary:1', 'progress_state', 'progress', 'binary:1', 'progress_state',
      'progress_state', 'executing', 'executed', 'progress_state', 'execution_success', 'status', 'executing',
    ]);
    const executed = alice.messages().find((m) => m.type === 'executed');
    expect(executed?.data).toMatchObject({ node: '9', prompt_id: id, output: { images: [{ subfolder: '', type: 'output' }] } });
    expect(alice.messages().find((m) => m.type === 'progress')?.data).toEqual({ value: 1, max: 2, prompt_id: id, node: '3' });
    const last = a?.at(-1);
    expect(last?.kind === 'json' && last.msg).toEqual({ type: 'executing', data: { node: null, prompt_id: id } });
  });

  it('without a client_id sends progress, progress_state and previews to every socket and the rest to none', async () => {
    const s1 = await connect('one');
    const s2 = await connect();
    fake.previews = true;
    fake.autoRun = true;
    const id = await queue({ prompt: workflow(8, { steps: 2 }) });
    await fake.waitForJob(id, 'finished');
    for (const frames of await settled(s1, s2)) {
      const job = frames.filter(isJob);
      expect(labels(job)).toEqual(['progress_state', 'progress_state', 'progress', 'binary:1', 'progress_state', 'progress', 'binary:1', 'progress_state', 'progress_state', 'progress_state']);
    }
  });

  it('an execution_error reaches only the client_id; without one nobody hears of it; history records the error', async () => {
    const alice = await connect('alice');
    const other = await connect('other');
    fake.autoRun = true;
    const withClient = await queue({ prompt: workflow(1, { fail: 'CUDA out of memory' }), client_id: 'alice' });
    const anonymous = await queue({ prompt: workflow(2, { fail: 'boom' }) });
    await fake.waitForJob(anonymous, 'finished');
    const [a, o] = await settled(alice, other);
    const errors = (fs: Frame[]) => fs.flatMap((f) => (f.kind === 'json' && f.msg.type === 'execution_error' ? [f.msg.data] : []));
    expect(errors(a ?? [])).toEqual([expect.objectContaining({ prompt_id: withClient, node_id: '3', node_type: 'KSampler', exception_message: 'CUDA out of memory' })]);
    expect(errors(o ?? [])).toEqual([]);
    const h = (await getJson<Record<string, { status: { status_str: string; messages: [string, Record<string, unknown>][] } }>>(fake.url, `/history/${anonymous}`)).json;
    expect(h[anonymous]?.status.status_str).toBe('error');
    expect(h[anonymous]?.status.messages.at(-1)?.[1]).toMatchObject({ exception_message: 'boom' });
  });

  it('broadcasts execution_interrupted when the job has no client_id', async () => {
    const s1 = await connect('x');
    const s2 = await connect('y');
    fake.autoRun = true;
    const id = await queue({ prompt: workflow(5, { ms: 60_000 }) });
    await fake.waitForJob(id, 'running');
    await postJson(fake.url, '/interrupt', {});
    for (const s of [s1, s2]) expect((await s.waitForType('execution_interrupted')).data).toMatchObject({ prompt_id: id, node_id: '3', executed: [] });
  });

  it('an identical prompt is served from the cache: all nodes cached, the earlier output, no progress', async () => {
    const c = await connect('c');
    fake.autoRun = true;
    const first = await queue({ prompt: workflow(42), client_id: 'c' });
    await fake.waitForJob(first, 'finished');
    await c.waitFor((f) => f.kind === 'json' && f.msg.type === 'executing' && f.msg.data.node === null);
    const mark = c.frames.length;
    const second = await queue({ prompt: workflow(42), client_id: 'c' });
    await fake.waitForJob(second, 'finished');
    await c.waitFor((f) => f.kind === 'json' && f.msg.type === 'executing' && f.msg.data.node === null && f.msg.data.prompt_id === second, mark);
    const again = c.frames.slice(mark);
    expect(labels(again).filter((l) => l !== 'status' && l !== 'progress_state')).toEqual(['execution_start', 'execution_cached', 'executed', 'execution_success', 'executing']);
    expect(c.messages().filter((m) => m.type === 'execution_cached').map((m) => m.data.nodes)).toEqual([[], ['3', '9']]);
    const h = (await getJson<Record<string, { outputs: unknown }>>(fake.url, '/history')).json;
    expect(h[second]?.outputs).toEqual(h[first]?.outputs);
  });
});

describe('fake ComfyUI WebSocket sids', () => {
  it('a second socket with the same clientId takes its messages; the first gets nothing; when the first closes the sid is dropped', async () => {
    const first = await connect('dup');
    const second = await connect('dup');
    fake.autoRun = true;
    const j1 = await queue({ prompt: workflow(1), client_id: 'dup' });
    await fake.waitForJob(j1, 'finished');
    const [f2] = await settled(second);
    expect(f2?.some((f) => f.kind === 'json' && f.msg.type === 'execution_start')).toBe(true);
    expect(first.frames.length).toBe(1); // its greeting; not even the marker broadcast that reached the second
    expect(fake.wsClients().map((c) => [c.clientId, c.open, c.registered])).toEqual([['dup', true, false], ['dup', true, true]]);
    await first.close();
    // server.py websocket_handler's `finally: self.sockets.pop(sid)` removes the newer socket's entry too.
    await expect.poll(() => fake.wsClients().map((c) => c.registered)).toEqual([false, false]);
    const j2 = await queue({ prompt: workflow(2), client_id: 'dup' });
    await fake.waitForJob(j2, 'finished');
    await fake.sendJson({ type: 'after', data: {} });
    const other = await connect('witness');
    await fake.sendJson({ type: 'after2', data: {} });
    await other.waitForType('after2');
    expect(second.messages().some((m) => m.data.prompt_id === j2 || m.type === 'after' || m.type === 'after2')).toBe(false);
  });

  it('generates a sid when there is no clientId, and re-sends `executing` to a client that reconnects mid-job', async () => {
    const anon = await connect();
    const sid = anon.messages()[0]?.data.sid;
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    await connect('r');
    fake.autoRun = true;
    const id = await queue({ prompt: workflow(9, { ms: 60_000 }), client_id: 'r' });
    await fake.waitForJob(id, 'running');
    expect(fake.currentJob()?.lastNodeId).toBe('3');
    const back = await connect('r');
    await back.waitForType('executing');
    expect(back.messages().slice(0, 2)).toEqual([
      { type: 'status', data: { status: { exec_info: { queue_remaining: 1 } }, sid: 'r' } },
      { type: 'executing', data: { node: '3' } },
    ]);
    fake.interrupt();
    await fake.waitForJob(id, 'finished');
  });

  it('answers feature_flags and then sends that client previews as event 4 with the prompt in their metadata', async () => {
    const modern = await connect('modern');
    modern.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    expect((await modern.waitForType('feature_flags')).data).toMatchObject({ supports_preview_metadata: true });
    fake.previews = true;
    fake.autoRun = true;
    const id = await queue({ prompt: workflow(3, { steps: 1 }), client_id: 'modern' });
    await fake.waitForJob(id, 'finished');
    const [frames] = await settled(modern);
    const previews = (frames ?? []).filter((f): f is Extract<Frame, { kind: 'binary' }> => f.kind === 'binary');
    expect(previews.map((p) => p.event)).toEqual([4]);
    const bytes = previews[0]?.bytes ?? Buffer.alloc(8);
    const meta = JSON.parse(bytes.subarray(8, 8 + bytes.readUInt32BE(4)).toString('utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({ prompt_id: id, node_id: '3', image_type: 'image/png' });
    expect(bytes.subarray(8 + bytes.readUInt32BE(4), 8 + bytes.readUInt32BE(4) + 4).toString('latin1')).toBe('\x89PNG');
  });
});
