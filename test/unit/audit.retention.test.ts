// Retention (default 90 days) on real files: applied at start and when the setting changes, it drops
// usage days and audit entries older than the period, and rotated audit files that are all old.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../main/audit/auditLog';
import { openAuditServices } from '../../main/audit/auditServices';
import { UsageRecorder } from '../../main/keys/usageRecorder';
import type { Job } from '../../main/jobs/types';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1, 12);

function job(owner: string, finishedAt: number, seconds: number, state: Job['state'] = 'success'): Job {
  return { promptId: `${owner}-${finishedAt}-${state}`, owner, ownerName: null, clientId: null, upstream: 'u', number: 1, state, queuedAt: finishedAt - seconds * 1000, startedAt: finishedAt - seconds * 1000, finishedAt, outputs: [], error: null, workflowName: null };
}

describe('retention', () => {
  it('drops usage days and audit entries older than the setting, at start and when it changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'retention-'));
    dirs.push(dir);
    let now = T0;
    // 120 days of history, written with a generous retention.
    const usage = new UsageRecorder({ dataDir: dir, flushIntervalMs: 0, retentionDays: 3650, now: () => now });
    const log = new AuditLog({ dataDir: dir, now: () => now, maxBytes: 2000 });
    for (let d = 0; d < 120; d++) {
      now = T0 + d * DAY;
      usage.onJobEvent({ type: 'finished', job: job('k1', now, 10) });
      log.record('app', 'settings.changed', 'settings', { day: d });
    }
    usage.flush();
    const filesBefore = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length;

    // Start with the default (90 days): both shrink to the last 90 days.
    const audit = openAuditServices({ dataDir: dir, now: () => now });
    audit.startRetention(usage);
    expect(Object.keys(usage.jobs('k1').days)).toHaveLength(90);
    expect(usage.jobs('k1').totals.jobs).toBe(120); // all-time totals stay
    const days = log.read().entries.map((e) => e.details.day as number);
    expect(days[0]).toBe(30);
    expect(days).toHaveLength(90);
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length).toBeLessThan(filesBefore);

    // The setting changes to 7 days: applied at once, and it survives a restart of the usage file.
    audit.setRetentionDays(7);
    expect(log.read().entries.map((e) => e.details.day)).toEqual([113, 114, 115, 116, 117, 118, 119]);
    const reopened = new UsageRecorder({ dataDir: dir, flushIntervalMs: 0, retentionDays: 3650, now: () => now });
    expect(Object.keys(reopened.jobs('k1').days).sort()).toEqual(Object.keys(usage.jobs('k1').days).sort());
    expect(Object.keys(reopened.jobs('k1').days)).toHaveLength(7);
    audit.close();
  });

  it('GPU seconds count start to finish of jobs that ran; cached jobs count 0; admin and deleted jobs none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-'));
    dirs.push(dir);
    const usage = new UsageRecorder({ dataDir: dir, flushIntervalMs: 0, now: () => T0 });
    usage.onJobEvent({ type: 'finished', job: job('k1', T0, 12.5) });
    usage.onJobEvent({ type: 'finished', job: job('k1', T0, 12.5) }); // the same job reported twice counts once
    usage.onJobEvent({ type: 'finished', job: job('k1', T0, 4, 'error') });
    usage.onJobEvent({ type: 'finished', job: job('k1', T0, 9, 'cached') });
    usage.onJobEvent({ type: 'finished', job: job('k1', T0, 3, 'deleted') });
    usage.onJobEvent({ type: 'finished', job: job('@admin', T0, 100) });
    usage.onJobEvent({ type: 'started', job: job('k1', T0 + 1, 50) });
    const { totals } = usage.jobs('k1');
    expect(totals).toMatchObject({ jobs: 3, jobs_success: 2, jobs_failed: 1, jobs_interrupted: 0, gpu_seconds: 16.5 });
    expect(usage.jobs('@admin').totals.jobs).toBe(0);
  });
});
