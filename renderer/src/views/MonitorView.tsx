// Monitor: live upstream health, queue, device and VRAM, proxy traffic with error/429 rates,
// per-key usage, running jobs and the recent-requests log. Everything is pushed from main.
import { useMemo } from 'react';
import type { HealthSample, TrafficPoint } from '../../../preload/contract';
import { Chart, type ChartSeries } from '../components/Chart';
import { Card, EmptyState, ErrorBanner, Loading, ProgressBar, StatusDot } from '../components/ui';
import { formatBytes, formatMs, formatNumber, formatTime } from '../format';
import { filterRequests, useMonitorStore } from '../stores/monitorStore';
import type { ResolvedTheme } from '../theme';
import { JobsCard } from './JobsCard';

const VRAM_SERIES: ChartSeries[] = [
  { label: 'Used', color: '--chart-1', fill: true },
  { label: 'Free', color: '--chart-2' },
];
const TRAFFIC_SERIES: ChartSeries[] = [
  { label: 'OK', color: '--chart-1', fill: true },
  { label: '4xx', color: '--chart-warn' },
  { label: '429', color: '--chart-3' },
  { label: '5xx', color: '--chart-danger' },
];

function vramData(history: HealthSample[]) {
  const pts = history.filter((h) => h.up && h.vramTotal !== null);
  return [pts.map((h) => h.at / 1000), pts.map((h) => ((h.vramTotal ?? 0) - (h.vramFree ?? 0)) / 2 ** 30), pts.map((h) => (h.vramFree ?? 0) / 2 ** 30)] as [number[], number[], number[]];
}

function trafficData(points: TrafficPoint[]) {
  const pts = points.slice(-180);
  return [pts.map((p) => p.t / 1000), pts.map((p) => p.c2xx + p.c3xx), pts.map((p) => p.c4xx), pts.map((p) => p.c429), pts.map((p) => p.c5xx)] as [number[], number[], number[], number[], number[]];
}

/** "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync" → "NVIDIA GeForce RTX 4090". */
function deviceLabel(name: string): string {
  return name.replace(/^\w+:\d+\s+/, '').replace(/\s+:\s+\w+$/, '') || name;
}

function Tile({ label, children, sub, wide }: { label: string; children: React.ReactNode; sub?: React.ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'tile tile-wide' : 'tile'}>
      <div className="tile-label">{label}</div>
      <div className="tile-value num">{children}</div>
      <div className="tile-sub">{sub ?? '\u00a0'}</div>
    </div>
  );
}

function statusClass(status: number): string {
  if (status === 429) return 'status-429';
  if (status >= 500) return 'status-5xx';
  if (status >= 400) return 'status-4xx';
  return 'status-ok';
}

export function MonitorView({ theme }: { theme: ResolvedTheme }) {
  const m = useMonitorStore();
  const vram = useMemo(() => vramData(m.healthHistory), [m.healthHistory]);
  const traffic = useMemo(() => trafficData(m.trafficHistory), [m.trafficHistory]);
  const log = useMemo(() => filterRequests(m.requests, m.filter), [m.requests, m.filter]);

  if (!m.loaded) return m.error ? <ErrorBanner onRetry={() => void m.load()}>{m.error}</ErrorBanner> : <Loading label="Connecting to the monitor…" />;

  const h = m.health;
  const t = m.traffic;
  const up = h?.up ?? false;

  return (
    <div className="stack-lg">
      {h && !h.up && (
        <div className="banner banner-error" role="alert">
          <StatusDot state="down" /> Upstream {m.upstreamUrl} is down: {h.error ?? 'unreachable'}
        </div>
      )}
      <div className="tiles">
        <Tile label="Upstream" sub={<span className="mono small" title={m.upstreamUrl}>{m.upstreamUrl}</span>}>
          <span className="tile-status" data-testid="upstream-state">
            <StatusDot state={h === null ? 'unknown' : up ? 'up' : 'down'} />
            {h === null ? 'Checking…' : up ? 'Up' : 'Down'}
          </span>
          {up && <span className="tile-extra">{formatMs(h?.latencyMs ?? null)}</span>}
        </Tile>
        <Tile label="Queue" sub="run / pending">
          {up ? `${h?.queueRunning ?? 0} / ${h?.queuePending ?? 0}` : '—'}
        </Tile>
        <Tile label="Device" wide sub={h?.comfyuiVersion ? `ComfyUI ${h.comfyuiVersion}${h.device ? ` · ${h.device.type}` : ''}` : undefined}>
          <span className="ellipsis small-value" title={h?.device?.name}>
            {h?.device ? deviceLabel(h.device.name) : '—'}
          </span>
        </Tile>
        <Tile label="VRAM used" sub={h?.vramTotal ? `of ${formatBytes(h.vramTotal)}` : undefined}>
          {h?.vramTotal != null && h.vramFree != null ? formatBytes(h.vramTotal - h.vramFree) : '—'}
        </Tile>
        <Tile label="Requests/s" sub={`last ${t?.windowS ?? 10} s`}>
          {t ? t.rps.toFixed(1) : '—'}
        </Tile>
        <Tile label="4xx · 429 · 5xx" sub={`of ${formatNumber(t?.total ?? 0)} requests`}>
          <span className="error-counts">
            <span className={t?.byClass['4xx'] ? 'status-4xx' : ''}>{formatNumber(t?.byClass['4xx'] ?? 0)}</span>
            <span className="sep">·</span>
            <span className={t?.byClass['429'] ? 'status-429' : ''}>{formatNumber(t?.byClass['429'] ?? 0)}</span>
            <span className="sep">·</span>
            <span className={t?.byClass['5xx'] ? 'status-5xx' : ''}>{formatNumber(t?.byClass['5xx'] ?? 0)}</span>
          </span>
        </Tile>
      </div>

      <div className="view-grid">
        <Card title="VRAM (GiB)">
          {vram[0].length > 1 ? (
            <Chart title="VRAM used and free over time" data={vram} series={VRAM_SERIES} theme={theme} formatY={(v) => v.toFixed(1)} />
          ) : (
            <EmptyState title="Waiting for samples">VRAM is sampled every second while the upstream is up.</EmptyState>
          )}
        </Card>
        <Card title="Requests per second">
          {traffic[0].length > 1 ? (
            <Chart title="Requests per second by result" data={traffic} series={TRAFFIC_SERIES} theme={theme} />
          ) : (
            <EmptyState title="No traffic yet">Requests through the proxy appear here.</EmptyState>
          )}
        </Card>
      </div>

      <div className="view-grid">
        <JobsCard jobs={m.jobs} />
        <Card title="Per key">
          {!t || t.byKey.length === 0 ? (
            <EmptyState title="No keyed requests yet" />
          ) : (
            <table className="table compact">
              <thead>
                <tr>
                  <th>Key</th>
                  <th className="num">Requests</th>
                  <th className="num">Errors</th>
                  <th className="num">429</th>
                </tr>
              </thead>
              <tbody>
                {t.byKey.slice(0, 8).map((k) => (
                  <tr key={k.keyName}>
                    <td>
                      {k.keyName}
                      <ProgressBar value={k.total} max={t.byKey[0]?.total ?? 1} label={`${k.keyName} share`} />
                    </td>
                    <td className="num">{formatNumber(k.total)}</td>
                    <td className="num">{formatNumber(k.errors)}</td>
                    <td className="num">{formatNumber(k.limited)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>

      <Card
        title="Recent requests"
        actions={<input type="search" className="search" placeholder="Filter" aria-label="Filter requests" value={m.filter} onChange={(e) => m.setFilter(e.target.value)} />}
      >
        {m.requests.length === 0 ? (
          <EmptyState title="No requests yet">Requests through the proxy, with their key and status, are listed here.</EmptyState>
        ) : log.length === 0 ? (
          <EmptyState title="Nothing matches the filter" />
        ) : (
          <div className="table-wrap log-wrap">
            <table className="table compact log" aria-label="Recent requests">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Method</th>
                  <th>Path</th>
                  <th className="num">Status</th>
                  <th className="num">Duration</th>
                  <th>Key</th>
                </tr>
              </thead>
              <tbody>
                {log.map((r) => (
                  <tr key={r.seq}>
                    <td className="num muted">{formatTime(r.at)}</td>
                    <td className="mono">{r.websocket ? 'WS' : r.method}</td>
                    <td className="mono path" title={r.path}>
                      {r.path}
                    </td>
                    <td className={`num ${statusClass(r.status)}`}>{r.status}</td>
                    <td className="num">{formatMs(r.durationMs)}</td>
                    <td>{r.keyName ?? <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
