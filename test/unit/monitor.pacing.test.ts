// How often the monitor samples upstream health (issue 15): every second while a window watches, backing off
// to the idle interval while nobody does, and back to every second when the upstream goes up or down.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MonitorService } from '../../main/monitor/monitorService';
import { FakeTime } from '../helpers/fakeTime';


/** An upstream answering /system_stats and /queue, or 401 to everything in 'refuse-key' mode. */
const upstream = { url: '', mode: 'ok' as 'ok' | 'refuse-key', server: null as Server | null };
beforeEach(async () => {
  upstream.mode = 'ok';
  const server = createServer((req, res) => {
    if (upstream.mode === 'refuse-key') return void res.writeHead(401).end();
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/queue' ? '{"queue_running":[],"queue_pending":[]}' : '{"system":{},"devices":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  upstream.server = server;
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  upstream.server?.closeAllConnections();
  await new Promise((r) => upstream.server?.close(r));
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

describe('monitor sampling pace', () => {
  /** Waits for sample number `samples` to finish; returns the gap to the next one and lets it start. */
  async function nextGap(m: MonitorService, time: FakeTime, samples: number): Promise<number> {
    await waitFor(() => m.snapshot().healthHistory.length === samples && time.pending === 1);
    const gap = time.nextIn;
    time.advance(gap);
    return gap;
  }

  it('backs off to the idle interval while nobody watches, and samples at once and every second when watched', async () => {
    const time = new FakeTime();
    const m = new MonitorService({ upstream: () => upstream.url, now: () => time.now, timers: time, sampleIntervalMs: 1000, idleSampleIntervalMs: 8000 });
    m.start();
    const idleGaps: number[] = [];
    for (let n = 1; n <= 5; n++) idleGaps.push(await nextGap(m, time, n));
    expect(idleGaps).toEqual([2000, 4000, 8000, 8000, 8000]);
    await waitFor(() => time.pending === 1);
    const stop = m.watch();
    // The first watcher gets a fresh sample without waiting out the idle gap.
    await waitFor(() => m.snapshot().healthHistory.length === 7);
    expect(await nextGap(m, time, 7)).toBe(1000);
    expect(await nextGap(m, time, 8)).toBe(1000);
    stop();
    expect(await nextGap(m, time, 9)).toBe(2000);
    m.stop();
    expect(time.pending).toBe(0);
  });

  it('goes back to sampling every second when the upstream goes down, while nobody watches', async () => {
    const time = new FakeTime();
    const m = new MonitorService({ upstream: () => upstream.url, now: () => time.now, timers: time, sampleIntervalMs: 1000, idleSampleIntervalMs: 8000 });
    m.start();
    expect(await nextGap(m, time, 1)).toBe(2000);
    expect(await nextGap(m, time, 2)).toBe(4000);
    await waitFor(() => m.snapshot().healthHistory.length === 3 && time.pending === 1);
    upstream.mode = 'refuse-key';
    try {
      time.advance(time.nextIn);
      // The sample that sees the change is followed a second later by the next one, then the gaps grow again.
      expect(await nextGap(m, time, 4)).toBe(1000);
      expect(m.latestHealth()?.up).toBe(false);
      expect(await nextGap(m, time, 5)).toBe(2000);
    } finally {
      upstream.mode = 'ok';
      m.stop();
    }
  });
});
