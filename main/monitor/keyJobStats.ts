// Per-owner job counts and GPU time from the job ledger's records, for the monitor's per-key table.
import { FINISHED_STATES, gpuMsOf, type Job } from '../jobs/types';
import type { KeyJobStats } from './types';

/** Jobs queued in the window, grouped by owner, most GPU time first. */
export function keyJobStats(jobs: readonly Job[]): KeyJobStats[] {
  const by = new Map<string, KeyJobStats>();
  for (const j of jobs) {
    let s = by.get(j.owner);
    if (!s) {
      s = { owner: j.owner, ownerName: j.ownerName ?? j.owner, jobs: 0, succeeded: 0, failed: 0, active: 0, gpuMs: 0 };
      by.set(j.owner, s);
    }
    s.jobs++;
    if (j.state === 'success' || j.state === 'cached') s.succeeded++;
    else if (j.state === 'error') s.failed++;
    if (!FINISHED_STATES.has(j.state)) s.active++;
    // A cached job never ran on the GPU; one still running counts when it ends.
    if (FINISHED_STATES.has(j.state)) s.gpuMs += gpuMsOf(j);
  }
  return [...by.values()].sort((a, b) => b.gpuMs - a.gpuMs || b.jobs - a.jobs);
}
