// The ledger's one general query (JobLedgerApi.list): jobs newest first, filtered by owner, upstream, state
// and queue time, at most `limit` (100 by default), each a copy.
import type { Job, JobQuery } from './types';

export function queryJobs(jobs: Iterable<Job>, q: JobQuery): Job[] {
  const out: Job[] = [];
  for (const job of [...jobs].reverse()) {
    if (out.length >= (q.limit ?? 100)) break;
    if (q.owner !== undefined && job.owner !== q.owner) continue;
    if ((q.upstream !== undefined && job.upstream !== q.upstream) || (q.since !== undefined && job.queuedAt < q.since)) continue;
    if (!q.states || q.states.includes(job.state)) out.push({ ...job, outputs: [...job.outputs] });
  }
  return out;
}
