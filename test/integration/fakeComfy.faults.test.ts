// The fake ComfyUI's faults for the proxy's tests, over real sockets: requests that are accepted and never
// answered (per route, all, the WebSocket handshake), stop/restart keeping state, a crash mid-job, and the
// standalone runner (ready line, SIGTERM).
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { getJson, openSocket, postJson, workflow } from '../fixtures/fakeComfyClient';

let fake: FakeComfy;
afterEach(async () => {
  await fake.close();
});

/** Starts a request and reports whether it has been answered yet, without waiting on a clock. */
function pending(url: string, init?: RequestInit): { answered: () => boolean; abort: () => void } {
  const ctl = new AbortController();
  let done = false;
  fetch(url, { ...init, signal: ctl.signal }).then(
    () => (done = true),
    () => undefined,
  );
  return { answered: () => done, abort: () => ctl.abort() };
}

describe('hang', () => {
  it('accepts a matching request and never answers it while the rest still answer; hang(null) ends it', async () => {
    fake = await startFakeComfy();
    fake.hang(['/prompt', '/history*']);
    const stuck = pending(`${fake.url}/api/prompt`, { method: 'POST', body: JSON.stringify({ prompt: {} }) });
    const stuckHistory = pending(`${fake.url}/history/abc`);
    await fake.nextRequest((r) => r.url === '/api/prompt' && r.complete);
    await fake.nextRequest((r) => r.url === '/history/abc');
    expect((await fetch(`${fake.url}/queue`)).status).toBe(200); // asked after them, answered first
    expect([stuck.answered(), stuckHistory.answered()]).toEqual([false, false]);
    expect(fake.state.pending).toEqual([]); // the hung POST was never handled
    fake.hang(null);
    expect((await postJson(fake.url, '/prompt', { prompt: {} })).status).toBe(200);
    stuck.abort();
    stuckHistory.abort();
  });

  it("'all' hangs every route, and '/ws' leaves the WebSocket handshake unanswered", async () => {
    fake = await startFakeComfy();
    fake.hang('all');
    const stats = pending(`${fake.url}/system_stats`);
    await fake.nextRequest((r) => r.url === '/system_stats');
    fake.hang(['/ws']);
    expect((await fetch(`${fake.url}/queue`)).status).toBe(200);
    expect(stats.answered()).toBe(false);
    const ws = new WebSocket(`ws://127.0.0.1:${fake.port}/ws?clientId=h`);
    let opened = false;
    ws.on('open', () => (opened = true));
    ws.on('error', () => undefined);
    await fake.nextRequest((r) => r.upgrade && r.url === '/ws?clientId=h');
    expect((await fetch(`${fake.url}/queue`)).status).toBe(200);
    expect(opened).toBe(false);
    ws.terminate();
    stats.abort();
  });
});

/** A request on a new connection: after a restart, a pooled keep-alive socket may be one the fake has just reset. */
function fresh(url: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, method: body === undefined ? 'GET' : 'POST' }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, json: res.headers['content-type']?.includes('json') ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('stop, crash and restart', () => {
  it('stop() drops connections but keeps the queue; crash() mid-job kills sockets and loses the job, queue and history', async () => {
    fake = await startFakeComfy({ autoRun: true, jobMs: 0 });
    const form = new FormData();
    form.append('image', new Blob(['kept']), 'kept.png');
    await fetch(`${fake.url}/upload/image`, { method: 'POST', body: form });
    await postJson(fake.url, '/prompt', { prompt: workflow(1), prompt_id: 'old' });
    await fake.waitForJob('old', 'finished');
    fake.autoRun = false;
    await postJson(fake.url, '/prompt', { prompt: workflow(2), prompt_id: 'queued' });
    await fake.stop();
    await expect(fresh(`${fake.url}/queue`)).rejects.toThrow();
    await fake.restart();
    expect(((await fresh(`${fake.url}/queue`)).json as { queue_pending: unknown[][] }).queue_pending.map((i) => i[1])).toEqual(['queued']);

    const client = await openSocket(`ws://127.0.0.1:${fake.port}/ws?clientId=c`);
    const closed = once(client.ws, 'close');
    await postJson(fake.url, '/prompt', { prompt: workflow(3, { ms: 60_000 }), prompt_id: 'doomed', client_id: 'c', front: true });
    fake.autoRun = true;
    await client.waitForType('executing', 'doomed');
    await fake.crash();
    await closed;
    await expect(fresh(`${fake.url}/queue`)).rejects.toThrow();
    expect(client.messages().some((m) => m.type === 'execution_success' || m.type === 'execution_error')).toBe(false);
    await fake.restart();
    expect((await fresh(`${fake.url}/queue`)).json).toEqual({ queue_running: [], queue_pending: [] });
    expect((await fresh(`${fake.url}/history`)).json).toEqual({});
    expect((await fresh(`${fake.url}/view?filename=kept.png&type=input`)).text).toBe('kept'); // files are on disk
    expect((await fresh(`${fake.url}/prompt`, { prompt: workflow(4) })).json).toMatchObject({ number: 0 }); // a new process counts from 0
  });
});

describe('fakeComfyMain', () => {
  it('prints a ready line, serves the options it was given, runs jobs by itself and exits 0 on SIGTERM', async () => {
    fake = await startFakeComfy(); // closed by afterEach; the child is the fake under test here
    const child = spawn('node_modules/.bin/tsx', ['test/fixtures/fakeComfyMain.ts', '--port', '0', '--job-ms', '0', '--device', 'cuda:0 Demo GPU', '--object-info-variant', 'b'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = once(child, 'exit');
    try {
      while (!/ready (http:\/\/127\.0\.0\.1:\d+)/.test(out)) await once(child.stdout, 'data');
      const url = /ready (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
      expect((await getJson<{ devices: { name: string }[] }>(url, '/system_stats')).json.devices[0]?.name).toBe('cuda:0 Demo GPU');
      expect(Object.keys((await getJson<object>(url, '/object_info')).json)).toContain('FakeUpscaleNode');
      const id = ((await postJson(url, '/prompt', { prompt: workflow(1) })).json as { prompt_id: string }).prompt_id;
      await expect.poll(async () => Object.keys((await getJson<object>(url, `/history/${id}`)).json), { timeout: 20_000 }).toEqual([id]);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('refuses a bad option with a usage message and exit code 2', async () => {
    fake = await startFakeComfy();
    const child = spawn('node_modules/.bin/tsx', ['test/fixtures/fakeComfyMain.ts', '--object-info-variant', 'z'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toContain('--object-info-variant must be a or b');
  });
});
