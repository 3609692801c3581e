// The monitor's waiting jobs (SPEC §12), from the job ledger: per upstream in the order ComfyUI will run them
// (lowest number first, ties by prompt id: its queue is a heap on that pair), each with who queued it, the
// share its place was chosen with, and when it should start: after what the running job has left and the
// estimates of every job ahead of it (each job's estimate is the one fair order charged it).
import type { Job, JobLedgerApi } from '../jobs/types';
import type { WaitingJobView } from './types';

/** The most waiting jobs the monitor lists (the queue count itself stays exact). */
export const SHOWN_WAITING = 200;

type Feed = Pick<JobLedgerApi, 'list'>;

function runOrder(a: Job, b: Job): number {
  // A job without a number (admin's own or FIFO mode, still on its way to ComfyUI) lands behind what is there.
  const na = a.number ?? Infinity;
  const nb = b.number ?? Infinity;
  if (na !== nb) return na < nb ? -1 : 1;
  if (a.number === null) return a.queuedAt - b.queuedAt;
  return a.promptId < b.promptId ? -1 : a.promptId > b.promptId ? 1 : 0;
}

export function waitingJobs(ledger: Feed, now: number): WaitingJobView[] {
  const active = ledger.list({ states: ['pending', 'running'], limit: 10_000 });
  const byUpstream = new Map<string, Job[]>();
  for (const job of active) {
    const list = byUpstream.get(job.upstream) ?? [];
    list.push(job);
    byUpstream.set(job.upstream, list);
  }
  const out: WaitingJobView[] = [];
  for (const [upstream, jobs] of byUpstream) {
    const running = jobs.find((j) => j.state === 'running');
    // What the running job has left by its estimate (at least nothing: it may run over).
    let at = now + (running?.startedAt != null && running.estimatedMs !== undefined ? Math.max(0, running.startedAt + running.estimatedMs - now) : 0);
    const waiting = jobs.filter((j) => j.state === 'pending').sort(runOrder);
    waiting.forEach((job, i) => {
      out.push({
        promptId: job.promptId,
        upstream,
        position: i + 1,
        ownerName: job.ownerName,
        share: job.share ?? null,
        workflowName: job.workflowName,
        queuedAt: job.queuedAt,
        estimatedStart: at,
        estimatedMs: job.estimatedMs ?? null,
      });
      at += job.estimatedMs ?? 0;
    });
  }
  return out.sort((a, b) => a.estimatedStart - b.estimatedStart || a.position - b.position).slice(0, SHOWN_WAITING);
}
