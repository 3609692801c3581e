// Per key: requests through the proxy (with a labelled share bar), refused and over-limit counts, and
// from the job ledger each key's jobs and GPU time over the last day.
import type { KeyJobStats, TrafficStats } from '../../../preload/contract';
import { Card, EmptyState } from '../components/ui';
import { formatDuration, formatNumber } from '../format';
import { ownerLabel } from './JobsCard';

interface Row {
  name: string;
  requests: number;
  errors: number;
  limited: number;
  jobs: KeyJobStats | null;
}

function rows(traffic: TrafficStats | null, keyJobs: KeyJobStats[]): Row[] {
  const out = new Map<string, Row>();
  for (const k of traffic?.byKey ?? []) {
    const name = k.keyName === '(none)' ? 'No key (refused)' : k.keyName;
    out.set(name, { name, requests: k.total, errors: k.errors, limited: k.limited, jobs: null });
  }
  for (const j of keyJobs) {
    const name = ownerLabel(j.ownerName) ?? j.owner;
    const row = out.get(j.ownerName) ?? out.get(name);
    if (row) row.jobs = j;
    else out.set(name, { name, requests: 0, errors: 0, limited: 0, jobs: j });
  }
  return [...out.values()].sort((a, b) => b.requests - a.requests || (b.jobs?.gpuMs ?? 0) - (a.jobs?.gpuMs ?? 0));
}

export function PerKeyCard({ traffic, keyJobs, windowH }: { traffic: TrafficStats | null; keyJobs: KeyJobStats[]; windowH: number }) {
  const list = rows(traffic, keyJobs).slice(0, 8);
  const max = Math.max(1, ...list.map((r) => r.requests));
  const withJobs = keyJobs.length > 0;
  return (
    <Card title="Per key">
      {list.length === 0 ? (
        <EmptyState title="No requests yet">Each access key’s requests, refusals{withJobs ? ', jobs and GPU time' : ''} show here.</EmptyState>
      ) : (
        <table className="table compact per-key">
          <thead>
            <tr>
              <th>Key</th>
              <th>Requests</th>
              <th className="num" title="Refused: wrong key, not allowed, not found">Refused</th>
              <th className="num" title="Refused because a limit was reached">Over limit</th>
              {withJobs && <th className="num">Jobs ({windowH} h)</th>}
              {withJobs && <th className="num">GPU time</th>}
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.name}>
                <td className="ellipsis-cell" title={r.name}>
                  {r.name}
                </td>
                <td className="share-col">
                  <div className="share-cell">
                    <span className="share-bar" aria-hidden="true">
                      <span className="share-fill" style={{ width: `${(r.requests / max) * 100}%` }} />
                    </span>
                    <span className="num">{formatNumber(r.requests)}</span>
                  </div>
                </td>
                <td className={r.errors ? 'num status-4xx' : 'num muted'}>{formatNumber(r.errors)}</td>
                <td className={r.limited ? 'num status-429' : 'num muted'}>{formatNumber(r.limited)}</td>
                {withJobs && <td className="num">{r.jobs ? `${formatNumber(r.jobs.jobs)}${r.jobs.failed ? ` (${r.jobs.failed} failed)` : ''}` : '—'}</td>}
                {withJobs && <td className="num">{r.jobs && r.jobs.gpuMs > 0 ? formatDuration(r.jobs.gpuMs) : '—'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
