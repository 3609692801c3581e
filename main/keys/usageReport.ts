// Usage as reports: the flat per-key-per-day rows that the CLI, the app and both export formats share
// (one column list, documented in the README), and the job/GPU fields GET /api/usage adds to the
// seed's usage_stats.
import type { KeyRecord } from './keyRecord';
import { emptyDay, lastUtcDays, utcDay, type UsageDay } from './usageDays';
import type { UsageRecorder } from './usageRecorder';

export const USAGE_COLUMNS = [
  'date',
  'key_id',
  'key_name',
  'requests',
  'failed_requests',
  'jobs',
  'jobs_success',
  'jobs_failed',
  'jobs_interrupted',
  'gpu_seconds',
  'cloud_jobs',
] as const;

export type UsageRow = { date: string; key_id: string; key_name: string } & UsageDay;

/** One row per key and UTC day with any activity in the last `days` days, oldest day first, then by name. */
export function usageRows(keys: readonly KeyRecord[], usage: Pick<UsageRecorder, 'jobs'>, days: number): UsageRow[] {
  const rows: UsageRow[] = [];
  for (const key of keys) {
    for (const [date, d] of Object.entries(usage.jobs(key.key_id, days).days)) {
      rows.push({ date, key_id: key.key_id, key_name: key.name, ...d, gpu_seconds: round3(d.gpu_seconds) });
    }
  }
  return rows.sort((a, b) => a.date.localeCompare(b.date) || a.key_name.localeCompare(b.key_name) || a.key_id.localeCompare(b.key_id));
}

/** What GET /api/usage adds to usage_stats: job counts, GPU seconds and every day of the window. */
export interface JobUsageStats {
  jobs: { total: number; success: number; failed: number; interrupted: number };
  gpu_seconds: number;
  /** Jobs with paid API nodes on the owner's Comfy account in the window (SPEC §8.8). */
  cloud_jobs: number;
  /** Every UTC day of the window, oldest first, zeros included (easy to chart). */
  days: ({ date: string } & UsageDay)[];
}

export function jobUsageStats(usage: Pick<UsageRecorder, 'jobs'>, keyId: string, days: number, nowMs: number): JobUsageStats {
  const u = usage.jobs(keyId, days);
  let gpu = 0;
  const perDay = lastUtcDays(days, nowMs).map((date) => {
    const d = u.days[date];
    gpu += d?.gpu_seconds ?? 0;
    return { date, ...(d ?? zero()), gpu_seconds: round3(d?.gpu_seconds ?? 0) };
  });
  const windowJobs = perDay.reduce(
    (acc, d) => ({ total: acc.total + d.jobs, success: acc.success + d.jobs_success, failed: acc.failed + d.jobs_failed, interrupted: acc.interrupted + d.jobs_interrupted }),
    { total: 0, success: 0, failed: 0, interrupted: 0 },
  );
  const cloudJobs = perDay.reduce((n, d) => n + d.cloud_jobs, 0);
  return { jobs: windowJobs, gpu_seconds: round3(gpu), cloud_jobs: cloudJobs, days: perDay };
}

function zero(): UsageDay {
  return emptyDay();
}

/** A key's GPU seconds on the UTC day of `nowMs` (its GPU budget; SPEC §11). */
export function gpuSecondsOn(usage: Pick<UsageRecorder, 'jobs'>, keyId: string, nowMs: number): number {
  return usage.jobs(keyId, 1).days[utcDay(nowMs)]?.gpu_seconds ?? 0;
}

/** Milliseconds are the ledger's resolution; more digits would be noise. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
