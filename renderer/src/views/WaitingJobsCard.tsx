// Jobs waiting for the GPU (SPEC §12), in the order ComfyUI will run them: who queued each, the share its
// place was chosen with, and when it should start (by the estimates of the running job and those ahead).
import { useEffect, useState } from 'react';
import type { UpstreamView, WaitingJobView } from '../../../preload/contract';
import { Card, EmptyState } from '../components/ui';
import { formatDuration, formatTime } from '../format';
import { ownerLabel } from './JobsCard';

function startsIn(j: WaitingJobView, now: number): string {
  const wait = j.estimatedStart - now;
  return wait < 1000 ? 'next' : `in ${formatDuration(wait)}`;
}

function shareLabel(j: WaitingJobView): string {
  if (j.share !== null) return String(Number(j.share.toFixed(2)));
  return j.ownerName === 'admin' ? 'first (admin)' : '—';
}

/** Re-renders every few seconds so "in 2 min" keeps counting down between pushed updates. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function WaitingJobsCard({ waiting, upstreams }: { waiting: WaitingJobView[]; upstreams: UpstreamView[] }) {
  const now = useNow(5000);
  const several = upstreams.length > 1;
  const host = (id: string) => id.replace(/^https?:\/\//, '');
  return (
    <Card title={waiting.length ? `Waiting · ${waiting.length} ${waiting.length === 1 ? 'job' : 'jobs'}` : 'Waiting'}>
      {waiting.length === 0 ? (
        <EmptyState title="Nothing waiting">Jobs queued behind the running one show here in the order they will run, with who queued them.</EmptyState>
      ) : (
        <>
          <div className="table-wrap waiting-wrap">
            <table className="table compact waiting" aria-label="Waiting jobs">
              <thead>
                <tr>
                  <th className="num">#</th>
                  <th>Job</th>
                  <th>Key</th>
                  <th className="num" title="While several keys wait, each gets GPU time in proportion to its share">Share</th>
                  <th>Starts</th>
                  {several && <th>Server</th>}
                </tr>
              </thead>
              <tbody>
                {waiting.map((j) => (
                  <tr key={j.promptId}>
                    <td className="num muted">{j.position}</td>
                    <td className="ellipsis-cell" title={`Prompt ${j.promptId}`}>
                      {j.workflowName ?? `Job ${j.promptId.slice(0, 8)}`}
                    </td>
                    <td className="ellipsis-cell">{ownerLabel(j.ownerName) ?? <span className="muted">—</span>}</td>
                    <td className="num">{shareLabel(j)}</td>
                    <td className="starts">
                      <span>{startsIn(j, now)}</span> <span className="muted small">≈ {formatTime(j.estimatedStart)}</span>
                    </td>
                    {several && <td className="mono small">{host(j.upstream)}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small card-note">
            Order: while several keys wait, the next job belongs to the key that had the least GPU time lately for its share. Start times are estimates from each key’s recent jobs.
          </p>
        </>
      )}
    </Card>
  );
}
