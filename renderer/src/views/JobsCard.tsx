// Jobs seen on relayed /ws traffic: running ones with a progress bar, then recently finished.
import type { JobView } from '../../../preload/contract';
import { Card, EmptyState, ProgressBar } from '../components/ui';
import { formatMs } from '../format';

const STATUS_WORD = { running: 'Running', success: 'Done', error: 'Failed', interrupted: 'Interrupted' } as const;

export function JobsCard({ jobs }: { jobs: JobView[] }) {
  const running = jobs.filter((j) => j.status === 'running').length;
  return (
    <Card title={running ? `Jobs · ${running} running` : 'Jobs'}>
      {jobs.length === 0 ? (
        <EmptyState title="No jobs yet">Prompts queued through the proxy show their progress here.</EmptyState>
      ) : (
        <ul className="jobs">
          {jobs.slice(0, 8).map((j) => (
            <li key={j.promptId} className={`job job-${j.status}`}>
              <div className="job-head">
                <span className="mono small ellipsis">{j.promptId}</span>
                <span className={`badge badge-job-${j.status}`}>{STATUS_WORD[j.status]}</span>
              </div>
              {j.status === 'running' ? (
                <>
                  <ProgressBar value={j.value} max={j.max} label={`Job ${j.promptId} progress`} />
                  <div className="muted small">
                    {j.node !== null ? `Node ${j.node}` : 'Starting'}
                    {j.max > 0 ? ` · step ${j.value}/${j.max}` : ''}
                  </div>
                </>
              ) : (
                <div className="muted small">
                  {j.message ?? (j.finishedAt !== null ? `Finished in ${formatMs(j.finishedAt - j.startedAt)}` : '')}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
