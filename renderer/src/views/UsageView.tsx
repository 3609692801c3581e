// Usage per key and day: totals of the window, the selected key's jobs and GPU time per day, the top
// keys by GPU time, exports, and how long history is kept.
import { useEffect, useMemo, useState } from 'react';
import type { UsageKeyView } from '../../../preload/contract';
import { Chart } from '../components/Chart';
import { Card, EmptyState, ErrorBanner, Loading, ProgressBar, Segmented } from '../components/ui';
import { formatNumber } from '../format';
import { onEvent } from '../ipc';
import { useAccountabilityStore } from '../stores/accountabilityStore';
import type { ResolvedTheme } from '../theme';
import { ExportButtons, ExportNotice } from './ExportButtons';
import './accountability.css';

const JOB_SERIES = [
  { label: 'Jobs', color: '--chart-1', bars: true },
  { label: 'With paid API nodes', color: '--chart-warn', bars: true },
];
const GPU_SERIES = [{ label: 'GPU minutes', color: '--chart-3', bars: true }];
const WINDOWS = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
];

/** 52.5 → "52.5 s", 754 → "12 min 34 s", 7260 → "2 h 1 min". */
export function formatGpu(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

function Tile({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div className="tile">
      <div className="tile-label">{label}</div>
      <div className="tile-value num">{value}</div>
      <div className="tile-sub">{sub}</div>
    </div>
  );
}

function KeyCharts({ k, theme }: { k: UsageKeyView; theme: ResolvedTheme }) {
  const labels = useMemo(() => k.days.map((d) => d.date.slice(5)), [k]);
  const x = useMemo(() => k.days.map((_d, i) => i), [k]);
  const jobs = useMemo(() => [x, k.days.map((d) => d.jobs), k.days.map((d) => d.cloudJobs)] as [number[], number[], number[]], [k, x]);
  const gpu = useMemo(() => [x, k.days.map((d) => Math.round((d.gpuSeconds / 60) * 100) / 100)] as [number[], number[]], [k, x]);
  return (
    <div className="view-grid">
      <Chart title={`Jobs per day — ${k.name}`} data={jobs} series={JOB_SERIES} theme={theme} height={150} categorical={labels} />
      <Chart title={`GPU time per day (minutes) — ${k.name}`} data={gpu} series={GPU_SERIES} theme={theme} height={150} categorical={labels} formatY={(v) => String(Math.round(v * 10) / 10)} />
    </div>
  );
}

export function UsageView({ theme }: { theme: ResolvedTheme }) {
  const { usage, usageDays, usageError, selectedKey, loadUsage, selectKey, exportUsage, setRetention } = useAccountabilityStore();
  const [retention, setRetentionText] = useState('');
  const [retentionError, setRetentionError] = useState<string | null>(null);

  useEffect(() => {
    void loadUsage();
    // Usage moves with traffic: refresh every 10 s while shown, and at once when keys change.
    const timer = setInterval(() => void loadUsage(), 10_000);
    const stop = onEvent((e) => {
      if (e.type === 'keys:changed') void loadUsage();
    });
    return () => {
      clearInterval(timer);
      stop();
    };
  }, [loadUsage]);
  useEffect(() => {
    if (usage) setRetentionText(String(usage.retentionDays));
  }, [usage?.retentionDays]); // eslint-disable-line react-hooks/exhaustive-deps

  const active = usage?.keys.filter((k) => k.totals.jobs > 0 || k.totals.requests > 0) ?? [];
  const sum = (f: 'jobs' | 'gpuSeconds' | 'requests' | 'jobsFailed' | 'jobsInterrupted') => active.reduce((n, k) => n + k.totals[f], 0);
  const selected = usage?.keys.find((k) => k.keyId === selectedKey) ?? null;
  const topGpu = Math.max(1, ...active.map((k) => k.totals.gpuSeconds));

  const saveRetention = async () => {
    const days = Number(retention);
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      setRetentionError('Enter a whole number of days from 1 to 3650');
      return;
    }
    setRetentionError(null);
    await setRetention(days).catch((err: unknown) => setRetentionError(err instanceof Error ? err.message : String(err)));
  };

  return (
    <div className="stack-lg">
      {usageError && <ErrorBanner onRetry={() => void loadUsage()}>{usageError}</ErrorBanner>}
      <ExportNotice />
      <div className="toolbar">
        <Segmented label="Window" value={String(usageDays)} options={WINDOWS} onChange={(v) => void loadUsage(Number(v))} />
        <span className="muted small">UTC days · jobs count on the day they finished</span>
        <span style={{ flex: 1 }} />
        <ExportButtons label="Export usage" onExport={(f) => void exportUsage(f)} />
      </div>
      {!usage ? (
        usageError ? null : <Loading label="Loading usage…" />
      ) : (
        <>
          <div className="tiles">
            <Tile label="Jobs" value={formatNumber(sum('jobs'))} sub={`${formatNumber(sum('jobsFailed'))} failed · ${formatNumber(sum('jobsInterrupted'))} interrupted`} />
            <Tile label="GPU time" value={formatGpu(sum('gpuSeconds'))} sub="start to finish of jobs that ran" />
            <Tile label="Requests" value={formatNumber(sum('requests'))} sub={`last ${usageDays} days`} />
            <Tile label="Active keys" value={formatNumber(active.length)} sub={`of ${formatNumber(usage.keys.length)} keys`} />
          </div>
          <Card title="Top keys">
            {active.length === 0 ? (
              <EmptyState title="No usage in this window">Requests and jobs made with access keys appear here per key and day.</EmptyState>
            ) : (
              <table className="table compact usage-table" aria-label="Top keys">
                <thead>
                  <tr>
                    <th>Key</th>
                    <th className="num">Jobs</th>
                    <th className="num">OK</th>
                    <th className="num">Failed</th>
                    <th className="num">Interrupted</th>
                    <th className="num">GPU time</th>
                    <th className="num" title="GPU time today (UTC) and the key's daily GPU budget">GPU today / budget</th>
                    <th className="num" title="Jobs with paid API nodes on your Comfy account">Paid API jobs</th>
                    <th className="num">Requests</th>
                  </tr>
                </thead>
                <tbody>
                  {active.map((k) => (
                    <tr key={k.keyId} className={k.keyId === selectedKey ? 'selected' : ''} aria-selected={k.keyId === selectedKey} onClick={() => selectKey(k.keyId)}>
                      <td className="key-cell">
                        {k.name}
                        {!k.isActive && <span className="badge badge-disabled">off</span>}
                        <ProgressBar value={k.totals.gpuSeconds} max={topGpu} label={`${k.name} GPU share`} />
                      </td>
                      <td className="num">{formatNumber(k.totals.jobs)}</td>
                      <td className="num ok-text">{formatNumber(k.totals.jobsSuccess)}</td>
                      <td className="num error-text">{formatNumber(k.totals.jobsFailed)}</td>
                      <td className="num">{formatNumber(k.totals.jobsInterrupted)}</td>
                      <td className="num">{formatGpu(k.totals.gpuSeconds)}</td>
                      <td className="num">{k.gpuSecondsPerDay === null ? formatGpu(k.gpuSecondsToday) : `${formatGpu(k.gpuSecondsToday)} / ${formatGpu(k.gpuSecondsPerDay)}`}</td>
                      <td className="num">{formatNumber(k.totals.cloudJobs)}</td>
                      <td className="num">{formatNumber(k.totals.requests)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
          {selected && active.length > 0 && (
            <Card title={`Per day — ${selected.name}`}>
              <KeyCharts k={selected} theme={theme} />
            </Card>
          )}
          <Card title="History kept">
            <div className="retention-form">
              <label htmlFor="retention-days">Keep usage and audit history for</label>
              <input id="retention-days" inputMode="numeric" value={retention} aria-invalid={retentionError !== null} onChange={(e) => setRetentionText(e.target.value)} />
              <span>days</span>
              <button type="button" className="button button-small" disabled={retention === String(usage.retentionDays)} onClick={() => void saveRetention()}>
                Apply
              </button>
            </div>
            <p className={retentionError ? 'note note-error' : 'note'}>{retentionError ?? 'Older days and audit entries are deleted at start and once a day.'}</p>
          </Card>
        </>
      )}
    </div>
  );
}
