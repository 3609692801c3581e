// Usage of one key: jobs this hour against its limit, request totals, and requests per day over the
// last two weeks.
import { useEffect, useMemo } from 'react';
import type { KeyView } from '../../../preload/contract';
import { Chart } from '../components/Chart';
import { Card, Loading } from '../components/ui';
import { formatMs, formatNumber, formatRelative } from '../format';
import { useKeysStore } from '../stores/keysStore';
import type { ResolvedTheme } from '../theme';

const SERIES = [{ label: 'Requests', color: '--chart-1', bars: true }];

function lastDays(n: number): string[] {
  const out: string[] = [];
  const today = Date.now();
  for (let i = n - 1; i >= 0; i--) out.push(new Date(today - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

export function KeyUsagePanel({ keyView, theme }: { keyView: KeyView; theme: ResolvedTheme }) {
  const usage = useKeysStore((s) => s.usage[keyView.id]);
  const loadUsage = useKeysStore((s) => s.loadUsage);

  useEffect(() => {
    void loadUsage(keyView.id);
  }, [keyView.id, keyView.lastUsed, loadUsage]);

  const days = useMemo(() => lastDays(14), []);
  const data = useMemo(() => {
    const byDay = new Map(usage?.perDay.map((d) => [d.date, d.requests]) ?? []);
    return [days.map((_d, i) => i), days.map((d) => byDay.get(d) ?? 0)] as [number[], number[]];
  }, [usage, days]);
  const labels = useMemo(() => days.map((d) => d.slice(5)), [days]);

  return (
    <Card title={`Usage — ${keyView.name}`} className="usage-card">
      {!usage ? (
        <Loading label="Loading usage…" />
      ) : (
        <div className="usage-panel">
          <dl className="facts facts-inline">
            <div>
              <dt>Jobs this hour</dt>
              <dd className="num">
                {formatNumber(usage.requestsInWindow)} / {formatNumber(usage.rateLimit)}
              </dd>
            </div>
            <div>
              <dt>Requests</dt>
              <dd className="num">{formatNumber(usage.totalRequests)}</dd>
            </div>
            <div>
              <dt>Succeeded</dt>
              <dd className="num ok-text">{formatNumber(usage.successfulRequests)}</dd>
            </div>
            <div>
              <dt>Refused or failed</dt>
              <dd className="num error-text">{formatNumber(usage.failedRequests)}</dd>
            </div>
            <div>
              <dt>Average time</dt>
              <dd className="num">{formatMs(usage.averageDurationMs)}</dd>
            </div>
            <div>
              <dt>Last used</dt>
              <dd>{formatRelative(usage.lastUsed)}</dd>
            </div>
          </dl>
          <Chart title="Requests per day (last 14 days)" data={data} series={SERIES} theme={theme} height={140} categorical={labels} />
        </div>
      )}
    </Card>
  );
}
