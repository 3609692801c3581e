// Monitor: every ComfyUI server behind the proxy when there are several (SPEC §5, §10) — up or down, its
// queue, latency, GPU and memory, and whether its nodes and models match the others (a server that
// differs gets no new jobs).
import type { UpstreamView } from '../../../preload/contract';
import { Card, StatusDot } from '../components/ui';
import { formatBytes, formatMs } from '../format';
import { deviceLabel } from './HomeView';

const STATE_WORDS = { up: 'Up', down: 'Down', checking: 'Checking…' } as const;
const host = (url: string) => url.replace(/^https?:\/\//, '');

/** "4.0 / 24.0 GiB": one unit when both share it, so the row stays short. */
function memoryUsed(used: number, total: number): string {
  const a = formatBytes(used);
  const b = formatBytes(total);
  const unit = b.split(' ')[1];
  return unit && a.endsWith(` ${unit}`) ? `${a.slice(0, -unit.length - 1)} / ${b}` : `${a} / ${b}`;
}

function Consistency({ u }: { u: UpstreamView }) {
  if (u.state === 'down') return <span className="muted">—</span>;
  if (u.matches === null) return <span className="muted">Checking…</span>;
  return u.matches ? <span>Same as the others</span> : <span className="status-4xx" title={u.problem ?? undefined}>Differs — no new jobs</span>;
}

export function UpstreamsCard({ upstreams }: { upstreams: UpstreamView[] }) {
  if (upstreams.length < 2) return null;
  const up = upstreams.filter((u) => u.state === 'up').length;
  const odd = upstreams.filter((u) => u.matches === false && u.state !== 'down');
  return (
    <Card title={`ComfyUI servers · ${up} of ${upstreams.length} up`}>
      {odd.map((u) => (
        <div key={u.url} className="banner banner-warn" role="alert" data-testid="upstreams-mismatch">
          <StatusDot state="warn" />
          <div className="grow">
            <strong>{host(u.url)} has other nodes or models than the other servers, so it gets no new jobs.</strong>
            <div className="small">Install the same custom nodes and models there (the proxy checks again when it restarts). {u.problem}</div>
          </div>
        </div>
      ))}
      <div className="table-wrap">
        <table className="table compact upstreams-table" aria-label="ComfyUI servers">
          <thead>
            <tr>
              <th>Server</th>
              <th>State</th>
              <th className="num">Queue</th>
              <th className="num">Latency</th>
              <th>GPU</th>
              <th className="num">GPU memory</th>
              <th>Nodes and models</th>
            </tr>
          </thead>
          <tbody>
            {upstreams.map((u, i) => (
              <tr key={u.url} data-testid="upstream-row">
                <td>
                  <span className="mono">{host(u.url)}</span>
                  {i === 0 && <span className="badge badge-primary upstream-primary">Primary</span>}
                </td>
                <td className="upstream-state-cell" title={u.state === 'down' ? (u.error ?? undefined) : undefined}>
                  <StatusDot state={u.state === 'up' ? 'up' : u.state === 'down' ? 'down' : 'unknown'} /> {STATE_WORDS[u.state]}
                  {u.state === 'down' && u.error ? <div className="muted small">{u.error}</div> : null}
                </td>
                <td className="num">{u.state === 'down' ? '—' : u.queue}</td>
                <td className="num">{u.state === 'up' ? formatMs(u.latencyMs) : '—'}</td>
                <td className="ellipsis-cell" title={u.device?.name}>
                  {u.device ? deviceLabel(u.device.name) : '—'}
                </td>
                <td className="num">{u.state !== 'down' && u.device && u.device.vramTotal > 0 ? memoryUsed(u.device.vramTotal - u.device.vramFree, u.device.vramTotal) : '—'}</td>
                <td>
                  <Consistency u={u} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
