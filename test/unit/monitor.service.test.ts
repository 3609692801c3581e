// The monitor as the Monitor view sees it: health sampled from a real local upstream, traffic
// counted per class and key, secrets stripped from the log, jobs followed, pushes throttled.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobLedger } from '../../main/jobs/jobLedger';
import { parseJobMessage } from '../../main/jobs/jobMessages';
import { MonitorService, stripSecretParams } from '../../main/monitor/monitorService';
import { FakeTime } from '../helpers/fakeTime';
import { RingBuffer } from '../../main/monitor/ringBuffer';
import type { MonitorUpdate } from '../../main/monitor/types';
import type { RequestRecord } from '../../main/common/traffic';


function rec(over: Partial<RequestRecord> = {}): RequestRecord {
  return { at: 0, method: 'GET', path: '/queue', status: 200, durationMs: 3, keyId: 'k1', keyName: 'alice', ...over };
}

interface Upstream {
  url: string;
  server: Server;
  seen: IncomingMessage[];
  mode: 'ok' | 'refuse-key';
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  const seen: IncomingMessage[] = [];
  const up = { seen, mode: 'ok' } as Upstream;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(req);
    if (up.mode === 'refuse-key') {
      res.writeHead(401).end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.url === '/system_stats') {
      res.end(JSON.stringify({ system: { comfyui_version: '0.3.66' }, devices: [{ name: 'cuda:0 RTX 4090', type: 'cuda', vram_total: 24e9, vram_free: 20e9 }] }));
    } else if (req.url === '/queue') {
      res.end(JSON.stringify({ queue_running: [[1, 'a']], queue_pending: [[2, 'b'], [3, 'c']] }));
    } else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  up.server = server;
  up.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  up.close = () => new Promise<void>((r) => server.close(() => r()));
  return up;
}

describe('monitor health sampling', () => {
  let upstream: Upstream;
  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(async () => {
    await upstream.close().catch(() => undefined);
  });

  it('reports the upstream up with device, VRAM, queue and version, sending the upstream key', async () => {
    const m = new MonitorService({ upstream: () => upstream.url, upstreamKey: () => 'up-secret' });
    const s = await m.sampleNow();
    expect(s.up).toBe(true);
    expect(s.device).toEqual({ name: 'cuda:0 RTX 4090', type: 'cuda' });
    expect(s.vramTotal).toBe(24e9);
    expect(s.vramFree).toBe(20e9);
    expect(s.queueRunning).toBe(1);
    expect(s.queuePending).toBe(2);
    expect(s.comfyuiVersion).toBe('0.3.66');
    expect(s.latencyMs).toBeGreaterThanOrEqual(0);
    expect(upstream.seen.map((r) => r.headers.authorization)).toEqual(['Bearer up-secret', 'Bearer up-secret']);
    expect(m.snapshot().health).toEqual(s);
  });

  it('reports the upstream down once it stops listening, and says why without secrets', async () => {
    const m = new MonitorService({ upstream: () => upstream.url, upstreamKey: () => 'up-secret' });
    expect((await m.sampleNow()).up).toBe(true);
    upstream.server.closeAllConnections();
    await upstream.close();
    const s = await m.sampleNow();
    expect(s.up).toBe(false);
    expect(s.latencyMs).toBeNull();
    expect(s.error).toMatch(/unreachable/);
    expect(s.error).not.toContain('up-secret');
    expect(m.snapshot().healthHistory.map((h) => h.up)).toEqual([true, false]);
  });

  it('treats a refused upstream key as down with a clear reason', async () => {
    upstream.mode = 'refuse-key';
    const m = new MonitorService({ upstream: () => upstream.url });
    const s = await m.sampleNow();
    expect(s.up).toBe(false);
    expect(s.error).toContain('401');
  });

  it('samples again every interval while watched and pushes each sample', async () => {
    const time = new FakeTime();
    const m = new MonitorService({ upstream: () => upstream.url, now: () => time.now, timers: time, sampleIntervalMs: 1000 });
    const updates: MonitorUpdate[] = [];
    m.subscribe((u) => updates.push(u));
    m.watch();
    m.start();
    await waitFor(() => m.snapshot().healthHistory.length === 1);
    time.advance(1000); // next tick (and the flush of the first sample)
    await waitFor(() => m.snapshot().healthHistory.length === 2);
    time.advance(1000);
    expect(updates.some((u) => u.health?.up === true)).toBe(true);
    m.stop();
    expect(time.pending).toBe(0);
  });

});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

describe('monitor traffic', () => {
  it('counts requests by status class and by key, and requests per second over the window', () => {
    const time = new FakeTime();
    const m = new MonitorService({ upstream: () => 'http://x', now: () => time.now, timers: time, rateWindowS: 10 });
    for (let i = 0; i < 5; i++) m.onRequest(rec());
    m.onRequest(rec({ status: 404 }));
    m.onRequest(rec({ status: 429, keyName: 'bob', keyId: 'k2' }));
    m.onRequest(rec({ status: 502, keyName: null, keyId: null }));
    m.onRequest(rec({ status: 302 }));
    const t = m.snapshot().traffic;
    expect(t.total).toBe(9);
    expect(t.byClass).toEqual({ '2xx': 5, '3xx': 1, '4xx': 1, '429': 1, '5xx': 1 });
    expect(t.rps).toBeCloseTo(0.9);
    const alice = t.byKey.find((k) => k.keyName === 'alice');
    expect(alice).toMatchObject({ total: 7, errors: 1, limited: 0 });
    expect(t.byKey.find((k) => k.keyName === 'bob')).toMatchObject({ total: 1, limited: 1 });
    // After the window has passed, the rate falls to zero but totals stay.
    time.advance(11_000);
    const later = m.snapshot().traffic;
    expect(later.rps).toBe(0);
    expect(later.total).toBe(9);
    expect(m.snapshot().trafficHistory.some((p) => p.total === 9 && p.c429 === 1)).toBe(true);
  });

  it('keeps a bounded recent-requests log without credentials in paths', () => {
    const m = new MonitorService({ upstream: () => 'http://x', requestLog: 3 });
    m.onRequest(rec({ path: '/view?filename=a.png&api_key=comfy_secret&type=output' }));
    m.onRequest(rec({ path: '/ws?clientId=1&token=abc' }));
    m.onRequest(rec({ path: '/a' }));
    m.onRequest(rec({ path: '/b' }));
    const log = m.snapshot().requests;
    expect(log.map((r) => r.path)).toEqual(['/ws?clientId=1', '/a', '/b']);
    expect(JSON.stringify(log)).not.toContain('secret');
    expect(stripSecretParams('/view?filename=a.png&api_key=comfy_secret&type=output')).toBe('/view?filename=a.png&type=output');
  });

  it('pushes at most one update per push interval, carrying every request since the last one', () => {
    const time = new FakeTime();
    const m = new MonitorService({ upstream: () => 'http://x', now: () => time.now, timers: time, pushIntervalMs: 250 });
    const updates: MonitorUpdate[] = [];
    m.subscribe((u) => updates.push(u));
    for (let i = 0; i < 50; i++) m.onRequest(rec({ path: `/r${i}` }));
    time.advance(0);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.requests).toHaveLength(50);
    expect(updates[0]?.traffic?.total).toBe(50);
    for (let i = 0; i < 10; i++) {
      m.onRequest(rec());
      time.advance(20);
    }
    // 200 ms passed since the first push: still throttled.
    expect(updates).toHaveLength(1);
    time.advance(60);
    expect(updates).toHaveLength(2);
    expect(updates[1]?.requests).toHaveLength(10);
  });
});

describe('monitor pushed traffic history', () => {
  it('pushes each closed second once, including seconds closed by a later request', () => {
    const time = new FakeTime();
    time.now = 1_700_000_000_000; // on a second boundary
    const m = new MonitorService({ upstream: () => 'http://x', now: () => time.now, timers: time, pushIntervalMs: 250 });
    const updates: MonitorUpdate[] = [];
    m.subscribe((u) => updates.push(u));
    m.onRequest(rec());
    m.onRequest(rec({ status: 500 }));
    time.advance(1500);
    m.onRequest(rec({ status: 429 }));
    time.advance(1000);
    m.onRequest(rec());
    time.advance(300);
    const points = updates.flatMap((u) => u.trafficPoints ?? []);
    expect(points.map((p) => p.t - 1_700_000_000_000)).toEqual([0, 1000]);
    expect(points[0]).toMatchObject({ total: 2, c2xx: 1, c5xx: 1 });
    expect(points[1]).toMatchObject({ total: 1, c429: 1 });
  });
});

describe('monitor jobs', () => {
  const msg = (type: string, data: Record<string, unknown>) => JSON.stringify({ type, data });
  // The monitor reads jobs from the ledger, which the relay feeds each text frame it parses (wsUpgrade.ts).
  const relayedTo = (ledger: JobLedger) => (text: string) => {
    const parsed = parseJobMessage(text);
    if (parsed) ledger.observeWsMessage('u', parsed, Date.now());
  };

  it('follows a job from start through progress to success', () => {
    const ledger = new JobLedger();
    const m = new MonitorService({ upstream: () => 'http://x', jobs: ledger });
    const relay = relayedTo(ledger);
    relay(msg('status', { status: { exec_info: { queue_remaining: 1 } } }));
    relay(msg('execution_start', { prompt_id: 'p1' }));
    relay(msg('executing', { node: '3', prompt_id: 'p1' }));
    relay(msg('progress', { value: 5, max: 20, prompt_id: 'p1', node: '3' }));
    let job = m.snapshot().jobs[0];
    expect(job).toMatchObject({ promptId: 'p1', status: 'running', node: '3', value: 5, max: 20 });
    relay(msg('executing', { node: '9', prompt_id: 'p1' }));
    relay(msg('execution_success', { prompt_id: 'p1' }));
    // A duplicate end (relayed by a second socket) changes nothing.
    relay(msg('execution_success', { prompt_id: 'p1' }));
    job = m.snapshot().jobs[0];
    expect(job).toMatchObject({ status: 'success', nodesDone: 1 });
    expect(job?.finishedAt).not.toBeNull();
  });

  it('shows errors and interruptions, lists running jobs first, and ignores garbage', () => {
    const ledger = new JobLedger();
    const m = new MonitorService({ upstream: () => 'http://x', jobs: ledger });
    const relay = relayedTo(ledger);
    relay('not json {prompt_id');
    relay(msg('execution_start', { prompt_id: 'a' }));
    relay(msg('execution_error', { prompt_id: 'a', exception_message: 'CUDA out of memory' }));
    relay(msg('execution_start', { prompt_id: 'b' }));
    relay(msg('execution_interrupted', { prompt_id: 'b' }));
    relay(msg('execution_start', { prompt_id: 'c' }));
    const jobs = m.snapshot().jobs;
    expect(jobs.map((j) => [j.promptId, j.status])).toEqual([
      ['c', 'running'],
      ['b', 'interrupted'],
      ['a', 'error'],
    ]);
    expect(jobs[2]?.message).toBe('CUDA out of memory');
  });
});

describe('RingBuffer', () => {
  it('keeps only the newest items, oldest first', () => {
    const r = new RingBuffer<number>(3);
    expect(r.last()).toBeUndefined();
    for (let i = 1; i <= 5; i++) r.push(i);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.size).toBe(3);
    expect(r.last()).toBe(5);
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
