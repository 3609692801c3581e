// Jobs that ran paid API nodes on the owner's Comfy account (SPEC §8.8), counted per owner and UTC day from
// the ledger: the `cloud_jobs_per_day` cap, the app's key list and its Cloud view all read this one count.
import type { JobLedgerApi, JobOwner } from './types';

const DAY_MS = 86_400_000;

/** Cloud jobs of an owner queued since the start of this UTC day. */
export function cloudJobsToday(ledger: Pick<JobLedgerApi, 'list'>, owner: JobOwner, nowMs: number): number {
  const since = nowMs - (nowMs % DAY_MS);
  return ledger.list({ owner, since, limit: 100_000 }).filter((j) => j.cloud === true).length;
}

/** Seconds until the next UTC day, when the daily count starts again. */
export function secondsToNextUtcDay(nowMs: number): number {
  return Math.ceil((DAY_MS - (nowMs % DAY_MS)) / 1000);
}
