// What a job is expected to cost the GPU (SPEC §12), from the job ledger: the mean GPU time of the owner's
// last jobs that ran, else of anyone's. Fair order charges each job this estimate, so a key whose jobs are
// long videos gets fewer turns than one making quick images, in proportion.
import type { Job, JobLedgerApi, JobOwner, JobState } from '../../jobs/types';

/** Jobs of the owner the estimate averages: enough to smooth one odd job, few enough to follow a change of work. */
export const COST_SAMPLE = 20;
/** Before any job has run through the proxy: a typical image job. */
export const DEFAULT_COST_MS = 10_000;
/**
 * Bounds of an estimate. The floor keeps one owner's jobs strictly in order (each moves its virtual clock
 * forward) even when they were answered from cache; the ceiling keeps one freak job from parking a key for days.
 */
export const MIN_COST_MS = 50;
export const MAX_COST_MS = 3_600_000;

const RAN: readonly JobState[] = ['success', 'cached', 'error', 'interrupted'];

/** GPU time of a finished job (cached jobs ran nothing); null when the ledger never learnt both times. */
export function gpuMsOf(job: Pick<Job, 'state' | 'startedAt' | 'finishedAt'>): number | null {
  if (job.state === 'cached') return 0;
  if (job.startedAt === null || job.finishedAt === null) return null;
  return Math.max(0, job.finishedAt - job.startedAt);
}

function timesOf(jobs: readonly Job[]): number[] {
  return jobs.map(gpuMsOf).filter((ms): ms is number => ms !== null);
}

function bounded(ms: number): number {
  return Math.round(Math.min(MAX_COST_MS, Math.max(MIN_COST_MS, ms)));
}

/** The GPU milliseconds a new job of `owner` is expected to take. */
export function estimateGpuMs(ledger: Pick<JobLedgerApi, 'list'>, owner: JobOwner): number {
  const own = timesOf(ledger.list({ owner, states: RAN, limit: COST_SAMPLE }));
  if (own.length > 0) return bounded(own.reduce((a, b) => a + b, 0) / own.length);
  // A newcomer is charged what anyone's jobs cost. Until COST_SAMPLE jobs have run at all (a fresh install),
  // the missing ones count as the default: jobs already waiting were charged the default, and an estimate that
  // jumped to the first measured job would let a newcomer's whole burst start before them (their numbers
  // cannot change once sent).
  const anyone = timesOf(ledger.list({ states: RAN, limit: COST_SAMPLE }));
  const padded = anyone.reduce((a, b) => a + b, 0) + (COST_SAMPLE - anyone.length) * DEFAULT_COST_MS;
  return bounded(padded / COST_SAMPLE);
}
