// Monitor: live upstream health, queue, GPU and its memory (GiB), requests through the proxy by result
// in plain words, jobs with who queued them and the node they are on, the jobs waiting in run order with their
// key, share and expected start, per key, and the request log.
import { useMemo } from 'react';
import type { HealthSample, TrafficPoint } from '../../../preload/contract';
import { Chart, type ChartSeries } from '../components/Chart';
import { Card, EmptyState, ErrorBanner, Loading, StatusDot } from '../components/ui';
import { formatBytes, formatMs, formatNumber, formatTime } from '../format';
import { filterRequests, useMonitorStore } from '../stores/monitorStore';
import type { ResolvedTheme } from '../theme';
import { deviceLabel, upstreamReason } from './HomeView';
import { JobsCard } from './JobsCard';
import { PerKeyCard } from './PerKeyCard';
import { UpstreamsCard } from './UpstreamsCard';
import { WaitingJobsCard } from './WaitingJobsCard';

const GIB = 2 ** 30;
const VRAM_SERIES: ChartSeries[] = [{ label: 'Used', color: '--chart-1', fill: true }];
const TRAFFIC_SERIES: ChartSeries[] = [
  { label: 'Succeeded', color: '--chart-1', fill: true },
  { label: 'Refused', color: '--chart-warn' },
  { label: 'Over limit', color: '--chart-3' },
  { label: 'Server errors', color: '--chart-danger' },
];

function vramData(history: HealthSample[]) {
  const pts = history.filter((h) => h.up && h.vramTotal !== null);
  return [pts.map((h) => h.at / 1000), pts.map((h) => ((h.vramTotal ?? 0) - (h.vramFree ?? 0)) / GIB)] as [number[], number[]];
}

function trafficData(points: TrafficPoint[]) {
  const pts = points.slice(-180);
  return [pts.map((p) => p.t / 1000), pts.map((p) => p.c2xx + p.c3xx), pts.map((p) => p.c4xx), pts.map((p) => p.c429), pts.map((p) => p.c5xx)] as [number[], number[], number[], number[], number[]];
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
  const vramTotalGiB = h?.vramTotal ? h.vramTotal / GIB : undefined;
  // With several servers the GPU tiles and the memory chart are the primary's; the servers card has each one.
  const several = m.upstreams.length > 1;
  const of = several ? ' · primary' : '';
  const serversUp = m.upstreams.filter((u) => u.state === 'up').length;
  const queuedEverywhere = m.upstreams.reduce((n, u) => n + (u.state === 'down' ? 0 : u.queue), 0);

  return (
    <div className="stack-lg">
      {h && !h.up && (
        <div className="banner banner-error" role="alert">
          <StatusDot state="down" /> <span>ComfyUI at {m.upstreamUrl} is not answering. {upstreamReason(h.error)}</span>
        </div>
      )}
      <div className="tiles">
        {several ? (
          <Tile label="ComfyUI servers" sub={<span className="mono small" title={m.upstreamUrl}>primary {m.upstreamUrl.replace(/^https?:\/\//, '')}</span>}>
            <span className="tile-status" data-testid="upstream-state">
              <StatusDot state={serversUp === m.upstreams.length ? 'up' : serversUp === 0 ? 'down' : 'warn'} />
              {serversUp} of {m.upstreams.length} up
            </span>
          </Tile>
        ) : (
          <Tile label="ComfyUI" sub={<span className="mono small" title={m.upstreamUrl}>{m.upstreamUrl.replace(/^https?:\/\//, '')}</span>}>
            <span className="tile-status" data-testid="upstream-state">
              <StatusDot state={h === null ? 'unknown' : up ? 'up' : 'down'} />
              {h === null ? 'Checking…' : up ? 'Up' : 'Down'}
            </span>
            {up && <span className="tile-extra">{formatMs(h?.latencyMs ?? null)}</span>}
          </Tile>
        )}
        <Tile label={`GPU${of}`} sub={h?.comfyuiVersion ? `ComfyUI ${h.comfyuiVersion}${h.device ? ` · ${h.device.type}` : ''}` : undefined}>
          <span className="ellipsis small-value" title={h?.device?.name}>
            {h?.device ? deviceLabel(h.device.name) : '—'}
          </span>
        </Tile>
        <Tile label={`GPU memory used${of}`} sub={h?.vramTotal ? `of ${formatBytes(h.vramTotal)}` : undefined}>
          {h?.vramTotal != null && h.vramFree != null ? formatBytes(h.vramTotal - h.vramFree) : '—'}
        </Tile>
        {several ? (
          <Tile label="Queue · all servers" sub="jobs waiting or running">
            {serversUp > 0 ? queuedEverywhere : '—'}
          </Tile>
        ) : (
          <Tile label="Queue" sub="running · waiting">
            {up ? `${h?.queueRunning ?? 0} · ${h?.queuePending ?? 0}` : '—'}
          </Tile>
        )}
        <Tile label="Requests per second" sub={`average of the last ${t?.windowS ?? 10} s`}>
          {t ? t.rps.toFixed(1) : '—'}
        </Tile>
        <div className="tile tile-list" aria-label="Requests that did not succeed">
          <div className="tile-label">Not succeeded · {formatNumber(t?.total ?? 0)} total</div>
          <dl className="tile-rows">
            <dt title="Wrong or missing key, not allowed, not found">Refused</dt>
            <dd className={t?.byClass['4xx'] ? 'status-4xx' : ''}>{formatNumber(t?.byClass['4xx'] ?? 0)}</dd>
            <dt title="A key's limit was reached (HTTP 429)">Over limit</dt>
            <dd className={t?.byClass['429'] ? 'status-429' : ''}>{formatNumber(t?.byClass['429'] ?? 0)}</dd>
            <dt title="ComfyUI or the proxy failed (HTTP 5xx)">Server errors</dt>
            <dd className={t?.byClass['5xx'] ? 'status-5xx' : ''}>{formatNumber(t?.byClass['5xx'] ?? 0)}</dd>
          </dl>
        </div>
      </div>

      <UpstreamsCard upstreams={m.upstreams} />

      <div className="view-grid">
        <Card title={`GPU memory used (GiB)${of}`}>
          {vram[0].length > 1 ? (
            <Chart title="GPU memory used over time, in GiB" data={vram} series={VRAM_SERIES} theme={theme} yMax={vramTotalGiB} formatY={(v) => `${v.toFixed(v < 10 && v > 0 ? 1 : 0)}`} />
          ) : (
            <EmptyState title="Waiting for samples">GPU memory is read every second while ComfyUI answers.</EmptyState>
          )}
        </Card>
        <Card title="Requests per second, by result">
          {traffic[0].length > 1 ? (
            <Chart title="Requests per second by result" data={traffic} series={TRAFFIC_SERIES} theme={theme} />
          ) : (
            <EmptyState title="No traffic yet">Requests through the proxy appear here.</EmptyState>
          )}
        </Card>
      </div>

      <JobsCard jobs={m.jobs} />
      <WaitingJobsCard waiting={m.waiting} upstreams={m.upstreams} />
      <PerKeyCard traffic={t} keyJobs={m.keyJobs} windowH={m.keyJobsWindowH} />

      <Card
        title="Recent requests"
        actions={<input type="search" className="search" placeholder="Filter by path, status or key" aria-label="Filter requests" value={m.filter} onChange={(e) => m.setFilter(e.target.value)} />}
      >
        {m.requests.length === 0 ? (
          <EmptyState title="No requests yet">Requests through the proxy, with their key and result, are listed here.</EmptyState>
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
