// Jobs seen on relayed /ws traffic: who queued them (key name), the workflow, the running node by its
// name, progress; then recently finished ones with how long they took.
import type { JobView } from '../../../preload/contract';
import { Card, EmptyState, ProgressBar } from '../components/ui';
import { formatDuration, formatTime } from '../format';

const STATUS_WORD = { running: 'Running', success: 'Done', error: 'Failed', interrupted: 'Interrupted' } as const;

/** "admin" is the app's own user. */
export function ownerLabel(name: string | null): string | null {
  if (name === null) return null;
  if (name === 'admin' || name === '@admin') return 'you (admin key)';
  if (name === '@foreign') return 'directly on ComfyUI';
  return name;
}

function title(j: JobView): string {
  return j.workflowName ?? `Job ${j.promptId.slice(0, 8)}`;
}

function runningLine(j: JobView): string {
  const node = j.nodeName ?? (j.node !== null ? `Node #${j.node}` : 'Starting');
  const step = j.max > 0 ? ` · step ${j.value} of ${j.max}` : '';
  const of = j.nodesTotal ? ` · node ${Math.min(j.nodesDone + 1, j.nodesTotal)} of ${j.nodesTotal}` : '';
  return `${node}${step}${of}`;
}

export function JobsCard({ jobs }: { jobs: JobView[] }) {
  const running = jobs.filter((j) => j.status === 'running').length;
  return (
    <Card title={running ? `Jobs · ${running} running` : 'Jobs'}>
      {jobs.length === 0 ? (
        <EmptyState title="No jobs yet">Jobs queued through the proxy show here with their progress and who queued them.</EmptyState>
      ) : (
        <ul className="jobs">
          {jobs.slice(0, 6).map((j) => {
            const who = ownerLabel(j.ownerName);
            return (
              <li key={j.promptId} className={`job job-${j.status}`}>
                <div className="job-head">
                  <span className="job-title ellipsis" title={`Prompt ${j.promptId}`}>
                    {title(j)}
                  </span>
                  {who && <span className="job-owner muted small">by {who}</span>}
                  <span className={`badge badge-job-${j.status}`}>{STATUS_WORD[j.status]}</span>
                </div>
                {j.status === 'running' ? (
                  <>
                    <ProgressBar value={j.value} max={j.max} label={`${title(j)} progress`} />
                    <div className="muted small">{runningLine(j)}</div>
                  </>
                ) : (
                  <div className="muted small">
                    {j.message ?? (j.finishedAt !== null ? `Finished at ${formatTime(j.finishedAt)} after ${formatDuration(j.finishedAt - j.startedAt)}` : '')}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
