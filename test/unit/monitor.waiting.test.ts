// The monitor's waiting jobs (SPEC §12) from a real job ledger: run order per upstream (number, then prompt
// id), the key and share of each, and expected starts from the running job's rest and the estimates ahead.
import { describe, expect, it } from 'vitest';
import { JobLedger } from '../../main/jobs/jobLedger';
import { waitingJobs } from '../../main/monitor/waitingJobs';
import { MonitorService } from '../../main/monitor/monitorService';

const T = Date.UTC(2031, 0, 1, 12);
const A = 'http://a:8188';
const B = 'http://b:8188';

function queued(ledger: JobLedger, promptId: string, upstream: string, number: number, over: { owner?: string; share?: number; estimatedMs?: number } = {}): void {
  const owner = over.owner ?? 'k1';
  ledger.recordSubmitted({ promptId, owner, ownerName: owner, clientId: null, upstream, number: null, share: over.share, estimatedMs: over.estimatedMs, at: T });
  ledger.confirmSubmitted(promptId, promptId, number);
}

describe('waiting jobs', () => {
  it('lists each upstream in run order with key, share and expected start', () => {
    const ledger = new JobLedger();
    queued(ledger, 'run-a', A, 0, { owner: 'alice', share: 1, estimatedMs: 20_000 });
    ledger.observeWsMessage(A, { type: 'execution_start', data: { prompt_id: 'run-a' } }, T - 5_000);
    queued(ledger, 'a2', A, 20, { owner: 'alice', share: 1, estimatedMs: 20_000 });
    queued(ledger, 'b1', A, 0.5, { owner: 'bob', share: 2, estimatedMs: 10_000 });
    queued(ledger, 'front', A, -1, { owner: 'admin', estimatedMs: 1_000 });
    queued(ledger, 'z-tie', A, 20, { owner: 'carol', share: 1, estimatedMs: 3_000 });
    queued(ledger, 'other', B, 7, { owner: 'dave', share: 1, estimatedMs: 4_000 });
    const views = waitingJobs(ledger, T);
    const onA = views.filter((v) => v.upstream === A);
    expect(onA.map((v) => [v.position, v.promptId, v.ownerName, v.share])).toEqual([
      [1, 'front', 'admin', null],
      [2, 'b1', 'bob', 2],
      [3, 'a2', 'alice', 1],
      [4, 'z-tie', 'carol', 1],
    ]);
    // The running job started 5 s ago with an estimate of 20 s: 15 s left.
    expect(onA.map((v) => v.estimatedStart - T)).toEqual([15_000, 16_000, 26_000, 46_000]);
    expect(views.find((v) => v.upstream === B)).toMatchObject({ promptId: 'other', position: 1, estimatedStart: T });
    // One list, soonest first.
    expect(views.map((v) => v.promptId)).toEqual(['other', 'front', 'b1', 'a2', 'z-tie']);
  });

  it('reaches the monitor snapshot and its pushed updates', async () => {
    const ledger = new JobLedger();
    const monitor = new MonitorService({ upstream: () => A, jobs: ledger, now: () => T, pushIntervalMs: 0, fetch: (async () => new Response('{}')) as typeof fetch });
    const updates: unknown[] = [];
    monitor.subscribe((u) => updates.push(u.waiting));
    queued(ledger, 'w1', A, 3, { estimatedMs: 2_000 });
    expect(monitor.snapshot().waiting.map((w) => w.promptId)).toEqual(['w1']);
    await expect.poll(() => updates.some((w) => Array.isArray(w) && w.length === 1)).toBe(true);
    monitor.stop();
  });
});
