// The order ComfyUI runs its pending jobs in (execution.py PromptQueue: a heap on `number`), as far as the
// ledger knows it: lowest number first; a job not yet confirmed by ComfyUI (no number) after those that are.
import type { Job } from './types';

export function runsBefore(a: Pick<Job, 'number' | 'queuedAt'>, b: Pick<Job, 'number' | 'queuedAt'>): boolean {
  const an = a.number ?? Number.POSITIVE_INFINITY;
  const bn = b.number ?? Number.POSITIVE_INFINITY;
  return an !== bn ? an < bn : a.queuedAt < b.queuedAt;
}

/** The job among these that ComfyUI will start first, or undefined for none. */
export function firstToRun<T extends Pick<Job, 'number' | 'queuedAt'>>(jobs: readonly T[]): T | undefined {
  return jobs.reduce<T | undefined>((best, j) => (best === undefined || runsBefore(j, best) ? j : best), undefined);
}
