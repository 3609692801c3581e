// The per-day usage record of one key (SPEC §11): requests, failed requests, jobs by outcome and GPU
// seconds, keyed by UTC date; and the rule that turns a finished job of the ledger into those counts.
import { gpuMsOf, type Job } from '../jobs/types';

export interface UsageDay {
  requests: number;
  failed_requests: number;
  /** Jobs that finished that day: success (cached included) + failed + interrupted. */
  jobs: number;
  jobs_success: number;
  jobs_failed: number;
  jobs_interrupted: number;
  /** ComfyUI's start-to-end seconds of the jobs that ran (jobs/types.ts gpuMsOf; a cached job ran nothing: 0). */
  gpu_seconds: number;
  /** Jobs with paid API nodes run on the owner's Comfy account (SPEC §8.8). */
  cloud_jobs: number;
}

export const USAGE_DAY_FIELDS = ['requests', 'failed_requests', 'jobs', 'jobs_success', 'jobs_failed', 'jobs_interrupted', 'gpu_seconds', 'cloud_jobs'] as const;

export function emptyDay(): UsageDay {
  return { requests: 0, failed_requests: 0, jobs: 0, jobs_success: 0, jobs_failed: 0, jobs_interrupted: 0, gpu_seconds: 0, cloud_jobs: 0 };
}

export function addDays(into: UsageDay, day: UsageDay): void {
  for (const f of USAGE_DAY_FIELDS) into[f] += day[f];
}

/** What a finished job adds to its owner's day, or null when it does not count (deleted before it ran). */
export function jobContribution(job: Job): { day: string; add: UsageDay } | null {
  const outcome = job.state === 'success' || job.state === 'cached' ? 'jobs_success' : job.state === 'error' ? 'jobs_failed' : job.state === 'interrupted' ? 'jobs_interrupted' : null;
  if (outcome === null) return null;
  const add = emptyDay();
  add.jobs = 1;
  add[outcome] = 1;
  if (job.cloud) add.cloud_jobs = 1;
  add.gpu_seconds = gpuMsOf(job) / 1000;
  return { day: utcDay(job.finishedAt ?? job.startedAt ?? job.queuedAt), add };
}

/** The last day computed, so a request costs a comparison instead of a Date and an ISO string. */
let lastDay = { from: 0, to: 0, day: '' };

export function utcDay(ms: number): string {
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const from = Math.floor(ms / 86_400_000) * 86_400_000;
  lastDay = { from, to: from + 86_400_000, day: new Date(ms).toISOString().slice(0, 10) };
  return lastDay.day;
}

/** The UTC dates of the last `n` days up to `nowMs`, oldest first. */
export function lastUtcDays(n: number, nowMs: number): string[] {
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(utcDay(nowMs - i * 86_400_000));
  return out;
}

/** A stored day, tolerating missing or bad fields (a hand-edited or older file). */
export function readDay(raw: unknown): UsageDay {
  const day = emptyDay();
  if (typeof raw === 'number') {
    day.requests = num(raw); // version 1 kept only requests per day
    return day;
  }
  if (typeof raw !== 'object' || raw === null) return day;
  for (const f of USAGE_DAY_FIELDS) day[f] = num((raw as Record<string, unknown>)[f]);
  return day;
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}
