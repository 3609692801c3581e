// The monitor's job list, read from the job ledger (the one record of jobs; it reads every relayed message
// already): running jobs oldest first, then the last finished ones newest first, each with its node's name
// (/queue titles, /object_info display names) and its progress.
import type { Job, JobLedgerApi, JobState } from '../jobs/types';
import type { NodeNames } from './nodeNames';
import type { JobStatus, JobView } from './types';

/** What the monitor reads from the job ledger. */
export type MonitorJobFeed = Pick<JobLedgerApi, 'subscribe' | 'list' | 'progressOf'>;

const SHOWN_FINISHED = 20;
const SHOWN_RUNNING = 100;
const FINISHED_SHOWN: readonly JobState[] = ['success', 'cached', 'error', 'interrupted'];
const STATUS: Partial<Record<JobState, JobStatus>> = { running: 'running', success: 'success', cached: 'success', error: 'error', interrupted: 'interrupted' };

export function jobViews(ledger: MonitorJobFeed, names: NodeNames): JobView[] {
  const running = ledger.list({ states: ['running'], limit: SHOWN_RUNNING }).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
  // The ledger lists in queue order; finish order can differ, so look a little further back and sort.
  const done = ledger
    .list({ states: FINISHED_SHOWN, limit: SHOWN_FINISHED * 2 })
    .sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0))
    .slice(0, SHOWN_FINISHED);
  return [...running, ...done].map((job) => jobView(job, ledger, names));
}

function jobView(job: Job, ledger: MonitorJobFeed, names: NodeNames): JobView {
  const p = ledger.progressOf(job.promptId);
  const node = p?.node ?? null;
  return {
    promptId: job.promptId,
    status: STATUS[job.state] ?? 'running',
    startedAt: job.startedAt ?? job.queuedAt,
    finishedAt: job.state === 'running' ? null : job.finishedAt,
    node,
    nodeName: names.nameOf(job.promptId, node),
    nodesTotal: names.nodeCount(job.promptId),
    ownerName: job.ownerName,
    workflowName: job.workflowName,
    value: p?.value ?? 0,
    max: p?.max ?? 0,
    nodesDone: p?.nodesDone ?? 0,
    message: job.state === 'interrupted' ? 'Interrupted' : job.error,
  };
}
