// Home: "is it working and how do I use it" — notices first, then the proxy with Open ComfyUI and Copy
// URL, the first-run checklist, the ComfyUI server and Comfy Cloud at a glance, how to call it from a
// script, and the tray's log-out and quit actions.
import type { AppStatus } from '../../../preload/contract';
import { Card, CopyButton, ErrorBanner, Loading, StatusDot } from '../components/ui';
import { formatBytes, formatCredits, formatMs } from '../format';
import { useCloudStore } from '../stores/cloudStore';
import { useMonitorStore } from '../stores/monitorStore';
import { useStatusStore } from '../stores/statusStore';
import { useUiStore } from '../stores/uiStore';
import { ExposureNotice, ResetNotices, SecretStoreNotice } from './AppNotices';
import { ProxyHero } from './ProxyHero';
import { serverRows } from './serverRows';
import { SetupChecklist } from './SetupChecklist';
import { SignOutCard } from './SessionsCard';

/** "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync" → "NVIDIA GeForce RTX 4090". */
export function deviceLabel(name: string): string {
  return name.replace(/^\w+:\d+\s+/, '').replace(/\s+:\s+\w+$/, '') || name;
}

/** Several servers on Home: how many answer, each one's state at a glance, and the key. */
function ServersSummaryCard({ status }: { status: AppStatus }) {
  const health = useMonitorStore((s) => s.health);
  const views = useMonitorStore((s) => s.upstreams);
  const setView = useUiStore((s) => s.setView);
  const rows = serverRows(status.upstream.urls, views, health);
  const up = rows.filter((r) => r.state === 'up').length;
  const known = rows.some((r) => r.state !== 'unknown' && r.state !== 'checking');
  const overall = !known ? 'unknown' : up === rows.length ? 'up' : up === 0 ? 'down' : 'warn';
  return (
    <Card
      title={`${rows.length} ComfyUI servers`}
      actions={
        <button type="button" className="button button-small" onClick={() => setView('connection')}>
          Change…
        </button>
      }
    >
      <div className="summary-status" data-testid="home-upstream-state">
        <StatusDot state={overall} label={`${up} of ${rows.length} answering`} />
        <strong>{known ? `${up} of ${rows.length} answering` : 'Checking…'}</strong>
      </div>
      <ul className="checks home-servers" aria-label="ComfyUI servers">
        {rows.map((r) => (
          <li key={r.url}>
            <StatusDot state={r.state === 'up' ? (r.matches === false ? 'warn' : 'up') : r.state === 'down' ? 'down' : 'unknown'} label={r.state} />
            <span className="mono ellipsis" title={r.url}>
              {r.url.replace(/^https?:\/\//, '')}
            </span>
            {r.primary && <span className="badge badge-primary">Primary</span>}
            <span className="muted home-server-state">{r.state === 'up' ? formatMs(r.latencyMs) : r.state === 'down' ? 'not answering' : ''}</span>
          </li>
        ))}
      </ul>
      <dl className="facts">
        <dt>ComfyUI key</dt>
        <dd>{status.upstream.keyHint ? <span className="mono">{status.upstream.keyHint}</span> : 'None'}</dd>
      </dl>
    </Card>
  );
}

function UpstreamCard({ status }: { status: AppStatus }) {
  return status.upstream.urls.length > 1 ? <ServersSummaryCard status={status} /> : <SingleServerCard status={status} />;
}

function SingleServerCard({ status }: { status: AppStatus }) {
  const sample = useMonitorStore((s) => s.health);
  // Right after the address changes, the last sample is about the old one: show "Checking…".
  const h = sample && sample.url === status.upstream.url ? sample : null;
  const setView = useUiStore((s) => s.setView);
  const state = h === null ? 'unknown' : h.up ? 'up' : 'down';
  return (
    <Card
      title="ComfyUI server"
      actions={
        <button type="button" className="button button-small" onClick={() => setView('connection')}>
          Change…
        </button>
      }
    >
      <div className="summary-status" data-testid="home-upstream-state">
        <StatusDot state={state} label={`ComfyUI ${state}`} />
        <strong>{h === null ? 'Checking…' : h.up ? 'Answering' : 'Not answering'}</strong>
        {h?.up && <span className="muted">{formatMs(h.latencyMs)}</span>}
      </div>
      {h && !h.up && <p className="summary-problem">{upstreamReason(h.error)}</p>}
      <dl className="facts">
        <dt>Address</dt>
        <dd className="mono">{status.upstream.url}</dd>
        <dt>ComfyUI key</dt>
        <dd>{status.upstream.keyHint ? <span className="mono">{status.upstream.keyHint}</span> : 'None'}</dd>
        {h?.up && (
          <>
            <dt>Version</dt>
            <dd>{h.comfyuiVersion ? `ComfyUI ${h.comfyuiVersion}` : '—'}</dd>
            <dt>GPU</dt>
            <dd className="ellipsis">{h.device ? `${deviceLabel(h.device.name)}${h.vramTotal ? ` · ${formatBytes(h.vramTotal)}` : ''}` : '—'}</dd>
          </>
        )}
      </dl>
    </Card>
  );
}

/** The health sampler's short reason, as a sentence with what to check. */
export function upstreamReason(error: string | null): string {
  if (!error) return 'ComfyUI did not answer. Check that it is running.';
  if (/refused the key/.test(error)) return 'ComfyUI refused the ComfyUI key. Enter the right one under ComfyUI connection.';
  if (/timed out/.test(error)) return 'ComfyUI did not answer in time. It may be busy loading a model, or the address is wrong.';
  if (/ECONNREFUSED/.test(error)) return 'Nothing accepts connections at that address. Start ComfyUI, or check the port.';
  if (/ENOTFOUND|EAI_AGAIN/.test(error)) return 'That host name could not be found. Check the address.';
  return `ComfyUI did not answer (${error}). Check that it is running.`;
}

function CloudCard() {
  const cloud = useCloudStore((s) => s.status);
  const setView = useUiStore((s) => s.setView);
  return (
    <Card
      title="Comfy Cloud"
      actions={
        <button type="button" className="button button-small" onClick={() => setView('cloud')}>
          {cloud?.loggedIn ? 'Account…' : 'Connect…'}
        </button>
      }
    >
      {cloud?.loggedIn ? (
        <>
          <div className="summary-status">
            <StatusDot state="up" label="Connected" />
            <strong>{cloud.account?.name ?? cloud.account?.email ?? 'Connected'}</strong>
          </div>
          <dl className="facts">
            <dt>Account</dt>
            <dd>{cloud.account?.email ?? '—'}</dd>
            <dt>Credits</dt>
            <dd>{cloud.credits ? formatCredits(cloud.credits.amount, cloud.credits.currency) : '—'}</dd>
          </dl>
          <p className="muted small">API nodes in your workflows, and in those of access keys you allow, use this account.</p>
        </>
      ) : (
        <p className="muted">Not connected. Connect your Comfy account to run API nodes (paid partner models) in workflows queued through the proxy.</p>
      )}
    </Card>
  );
}

function UseCard({ status }: { status: AppStatus }) {
  const url = status.proxy.url ?? `http://127.0.0.1:${status.proxy.port}`;
  const curl = `curl -H "Authorization: Bearer <your-access-key>" ${url}/system_stats`;
  const port = new URL(url).port || '80';
  return (
    <Card title="Use it from a script or another computer" className="span-2">
      <div className="use-grid">
        <div>
          <div className="label">With curl (any HTTP client works the same)</div>
          <div className="code-row">
            <code className="code-block" data-testid="curl-example">{curl}</code>
            <CopyButton text={curl} label="Copy" ariaLabel="Copy the curl example" />
          </div>
          <p className="muted small">
            Replace <code>&lt;your-access-key&gt;</code> with a key from Access keys. In a browser, open the address and enter the key on the login page.
          </p>
        </div>
        <div>
          <div className="label">From another computer, over SSH</div>
          <div className="code-row">
            <code className="code-block">{`ssh -L ${port}:127.0.0.1:${port} <this-computer>`}</code>
          </div>
          <p className="muted small">The proxy only listens on this computer. A tunnel gives the other side the same address, so ComfyUI's account login works there too.</p>
        </div>
      </div>
    </Card>
  );
}

export function HomeView() {
  const status = useStatusStore((s) => s.status);
  const error = useStatusStore((s) => s.error);
  const load = useStatusStore((s) => s.load);
  if (!status) return error ? <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner> : <Loading />;
  return (
    <div className="stack-lg home">
      <ResetNotices status={status} />
      {/* On Home only when something entered would actually be lost; the key forms always say it. */}
      {(status.upstream.keyHint !== null || status.cloud.loggedIn) && <SecretStoreNotice status={status} />}
      <ExposureNotice status={status} />
      <ProxyHero status={status} />
      <SetupChecklist status={status} />
      <div className="view-grid">
        <UpstreamCard status={status} />
        <CloudCard />
        <UseCard status={status} />
      </div>
      <SignOutCard />
    </div>
  );
}
