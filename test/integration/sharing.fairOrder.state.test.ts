// Fair order (SPEC §12) across a restart of the proxy and across several upstreams: the order's state lives in
// the job ledger (each job's number, share and estimate), so a restarted proxy goes on where it stopped; each
// ComfyUI behind the proxy has its own queue, ordered the same way.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProxyServices, startProxyStack, startProxyWith, type ProxyStack } from '../../main/compose/proxyStack';
import { waitingJobs } from '../../main/monitor/waitingJobs';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { ADMIN_KEY, testStackConfig, type Harness } from '../helpers/proxyHarness';
import { createKey, finishRunning, openWs, startRunning, type TestKey } from './sharing.helpers';
import { startMulti, type Multi } from './upstreams.helpers';
import { owners, queueJobs, runAll } from './sharing.fairOrder.helpers';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('fair order state', () => {
  it('survives a restart: the batch keeps its order and a newcomer still goes almost first', async () => {
    const fake: FakeComfy = await startFakeComfy();
    const dataDir = await mkdtemp(join(tmpdir(), 'fair-restart-'));
    cleanup.push(() => fake.close(), () => rm(dataDir, { recursive: true, force: true }));
    let stack: ProxyStack = await startProxyStack(testStackConfig(fake.url, dataDir));
    const h = (): Harness => ({ fake, stack, url: stack.proxy.url, port: stack.proxy.port, dataDir, auth: { authorization: '' }, close: async () => {} });
    const batch: TestKey = await createKey(h(), { name: 'batch' });
    const single: TestKey = await createKey(h(), { name: 'single' });
    const before = await queueJobs(h(), batch.auth, 6);
    await stack.close(500);
    stack = await startProxyStack(testStackConfig(fake.url, dataDir));
    cleanup.push(() => stack.close(500));
    // Forgotten state would give these the batch's first numbers again: they would run among the first six.
    const after = await queueJobs(h(), batch.auth, 3);
    const [alone] = await queueJobs(h(), single.auth, 1);
    const ran = await runAll(fake, [...before, ...after, alone!]);
    expect(ran.filter((id) => id !== alone)).toEqual([...before, ...after]);
    expect(ran.indexOf(alone!)).toBeLessThanOrEqual(2);
  });

  it('while the batch runs, the newcomer goes right after the running job (the ledger sees it run)', async () => {
    const fake = await startFakeComfy();
    const dataDir = await mkdtemp(join(tmpdir(), 'fair-live-'));
    const stack = await startProxyStack(testStackConfig(fake.url, dataDir));
    cleanup.push(() => fake.close(), () => rm(dataDir, { recursive: true, force: true }), () => stack.close(500));
    const h: Harness = { fake, stack, url: stack.proxy.url, port: stack.proxy.port, dataDir, auth: { authorization: '' }, close: async () => {} };
    const batch = await createKey(h, { name: 'batch' });
    const single = await createKey(h, { name: 'single' });
    // The batch's owner has the web UI open: the proxy sees its jobs start.
    const socket = await openWs(h, { headers: batch.auth });
    cleanup.push(async () => void (await socket.close()));
    const jobs = await queueJobs(h, batch.auth, 12);
    await startRunning(h, jobs[0]!, socket);
    const [alone] = await queueJobs(h, single.auth, 1);
    await finishRunning(h, jobs[0]!, socket);
    const ran = await runAll(fake, [...jobs.slice(1), alone!]);
    expect(ran[0]).toBe(alone);
    expect(ran.slice(1)).toEqual(jobs.slice(1));
  });

  it('a job still on its way to ComfyUI is already listed in its place, not last', async () => {
    const fake = await startFakeComfy();
    // A front that holds `POST /prompt` while told to, and forwards everything to the fake ComfyUI.
    let release: (() => void) | null = null;
    let held = false;
    let arrived: () => void = () => undefined;
    const front = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', async () => {
        if (held && req.method === 'POST' && req.url === '/prompt') {
          await new Promise<void>((r) => {
            release = r;
            arrived();
          });
        }
        try {
          const answer = await fetch(`${fake.url}${req.url}`, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, ...(chunks.length ? { body: Buffer.concat(chunks) } : {}) });
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
        } catch {
          res.destroy();
        }
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const dataDir = await mkdtemp(join(tmpdir(), 'fair-onway-'));
    // Opened services, so the test can read the job ledger the monitor reads.
    const services = openProxyServices({ dataDir, adminKey: ADMIN_KEY });
    const proxy = await startProxyWith(services, testStackConfig(`http://127.0.0.1:${(front.address() as AddressInfo).port}`, dataDir));
    cleanup.push(
      () => fake.close(),
      () => new Promise((r) => front.close(() => r())),
      () => rm(dataDir, { recursive: true, force: true }),
      () => services.close(),
      () => proxy.close(500),
    );
    const h = { url: proxy.url } as Harness; // createKey and queueJobs only use the URL
    const batch = await createKey(h, { name: 'batch' });
    const single = await createKey(h, { name: 'single' });
    await queueJobs(h, batch.auth, 3);
    held = true;
    const reached = new Promise<void>((r) => (arrived = r));
    const sent = queueJobs(h, single.auth, 1);
    await reached;
    // ComfyUI has not answered yet: the monitor already shows the single job second, where it will run.
    const listed = waitingJobs(services.ledger, Date.now()).map((j) => j.ownerName);
    (release as (() => void) | null)?.();
    const [alone] = await sent;
    expect(listed).toEqual(['batch', 'single', 'batch', 'batch']);
    expect(waitingJobs(services.ledger, Date.now()).map((j) => j.promptId)[1]).toBe(alone);
  });

  it('two upstreams: each queue is ordered fairly on its own', async () => {
    const m: Multi = await startMulti(2);
    cleanup.push(() => m.close());
    const as = (x: Multi): Harness => ({ fake: x.fakes[0]!, stack: x.stack, url: x.url, port: x.port, dataDir: '', auth: x.auth, close: async () => {} });
    const batch = await createKey(as(m), { name: 'batch' });
    const single = await createKey(as(m), { name: 'single' });
    const jobs = await queueJobs(as(m), batch.auth, 12);
    const singles = await queueJobs(as(m), single.auth, 2);
    for (const fake of m.fakes) {
      const mine = [...jobs, ...singles].filter((id) => fake.state.pending.some((i) => i[1] === id));
      const lone = singles.filter((id) => mine.includes(id));
      expect(lone).toHaveLength(1);
      expect(mine.length).toBeGreaterThanOrEqual(6);
      const ran = await runAll(fake, mine);
      expect(ran.indexOf(lone[0]!)).toBeLessThanOrEqual(2);
      expect(owners(ran, { b: jobs, s: singles }).filter((o) => o === 'b').length).toBe(mine.length - 1);
    }
  });
});
