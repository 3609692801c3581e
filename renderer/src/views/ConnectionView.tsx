// ComfyUI connection: the one place for the ComfyUI server's address and its key. "Check and save"
// probes an authenticated endpoint first and saves nothing the server refuses; the result is a short
// checklist. Says where a remembered key is kept, and warns when ComfyUI is open to its network.
import { useEffect, useState } from 'react';
import type { UpstreamProbe } from '../../../preload/contract';
import { Card, ErrorBanner, Field, Loading, StatusDot } from '../components/ui';
import { formatMs } from '../format';
import { call, errorMessage, fieldErrors } from '../ipc';
import { useMonitorStore } from '../stores/monitorStore';
import { useStatusStore } from '../stores/statusStore';
import { ExposureNotice, SecretStoreNotice } from './AppNotices';
import { deviceLabel, upstreamReason } from './HomeView';

const BACKEND_WORDS = {
  keychain: 'in the system keychain',
  safeStorage: 'encrypted in the app’s settings',
  memory: 'in memory only',
} as const;

function Check({ ok, label, detail }: { ok: boolean | null; label: string; detail?: string }) {
  const state = ok === null ? 'skip' : ok ? 'pass' : 'fail';
  return (
    <li className={`check check-${state}`}>
      <span className="check-icon" aria-hidden="true">
        {ok === null ? '–' : ok ? '✓' : '✕'}
      </span>
      <span className="check-label">{label}</span>
      {detail && <span className="check-detail">{detail}</span>}
    </li>
  );
}

function LiveState() {
  const h = useMonitorStore((s) => s.health);
  const state = h === null ? 'unknown' : h.up ? 'up' : 'down';
  return (
    <div className="summary-status" data-testid="connection-live">
      <StatusDot state={state} label={`ComfyUI ${state}`} />
      <strong>{h === null ? 'Checking…' : h.up ? 'Answering now' : 'Not answering now'}</strong>
      {h?.up && <span className="muted">{formatMs(h.latencyMs)}{h.comfyuiVersion ? ` · ComfyUI ${h.comfyuiVersion}` : ''}</span>}
      {h && !h.up && <span className="muted">{upstreamReason(h.error)}</span>}
    </div>
  );
}

export function ConnectionView() {
  const status = useStatusStore((s) => s.status);
  const loadStatus = useStatusStore((s) => s.load);
  const [url, setUrl] = useState('');
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(true);
  const [busy, setBusy] = useState(false);
  const [probe, setProbe] = useState<UpstreamProbe | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  useEffect(() => {
    if (status && url === '') setUrl(status.upstream.url);
    // Only prefill once the status arrives.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status?.upstream.url]);

  if (!status) return <Loading />;
  const backend = status.secretBackend;
  const canRemember = backend.persistent;
  const urlProblem = checkUrl(url);

  async function submit() {
    if (urlProblem) return;
    setBusy(true);
    setError(null);
    setFields({});
    try {
      setProbe(await call('upstream:login', { url: url.trim(), key: key === '' ? null : key, remember: remember && canRemember }));
      setKey('');
      void loadStatus();
    } catch (err) {
      setProbe(null);
      setError(errorMessage(err));
      setFields(fieldErrors(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack-lg">
      <ExposureNotice status={status} showLink={false} />
      <div className="view-grid">
        <Card title="ComfyUI server">
          <LiveState />
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <Field label="Address" hint="Where ComfyUI runs, e.g. http://127.0.0.1:8188 or http://gpu-box:8188" error={fields.url ?? (url.trim() && urlProblem ? urlProblem : undefined)}>
              {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://127.0.0.1:8188" spellCheck={false} autoComplete="off" />}
            </Field>
            <Field
              label="ComfyUI key"
              hint={
                status.upstream.keyHint
                  ? `Saved: ${status.upstream.keyHint}. Enter it again to keep it; checking with this empty removes it.`
                  : 'Only if your ComfyUI server asks for a key (e.g. behind its own login). The proxy sends it; people never see it.'
              }
              error={fields.key}
            >
              {(p) => <input {...p} type="password" value={key} onChange={(e) => setKey(e.target.value)} placeholder="None" autoComplete="off" spellCheck={false} />}
            </Field>
            <fieldset className="radio-group">
              <legend>Keep the key</legend>
              <label className={canRemember ? '' : 'disabled'}>
                <input type="radio" name="remember" checked={remember && canRemember} disabled={!canRemember} onChange={() => setRemember(true)} />
                On this computer{canRemember ? ` (${BACKEND_WORDS[backend.kind]})` : ' — not possible here'}
              </label>
              <label>
                <input type="radio" name="remember" checked={!remember || !canRemember} onChange={() => setRemember(false)} />
                Until the app quits
              </label>
            </fieldset>
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={busy || !!urlProblem}>
                {busy ? 'Checking…' : 'Check and save'}
              </button>
            </div>
          </form>
        </Card>

        <Card title="Check">
          {error && <ErrorBanner>{error}</ErrorBanner>}
          {!probe && !error && (
            <div className="muted result-placeholder">
              {busy ? <Loading label="Contacting ComfyUI…" /> : 'Check and save asks ComfyUI for its system stats with the key, and saves only what works.'}
            </div>
          )}
          {probe && (
            <div className="probe" aria-live="polite">
              <ul className="checks">
                <Check ok={probe.reachable} label={probe.reachable ? 'ComfyUI answers' : 'ComfyUI does not answer'} detail={probe.latencyMs !== null ? formatMs(probe.latencyMs) : undefined} />
                <Check ok={probe.keyAccepted} label={probe.keyAccepted === null ? 'No key needed' : probe.keyAccepted ? 'Key accepted' : 'Key refused'} />
              </ul>
              <dl className="facts">
                <dt>ComfyUI</dt>
                <dd>{probe.comfyuiVersion ?? '—'}</dd>
                <dt>Device</dt>
                <dd>{probe.device ? deviceLabel(probe.device) : '—'}</dd>
              </dl>
              <p className={probe.saved ? 'note note-ok' : 'note note-error'}>
                {probe.message}
                {probe.saved ? '' : ' Nothing was saved.'}
              </p>
            </div>
          )}
        </Card>
      </div>
      <SecretStoreNotice status={status} />
    </div>
  );
}

/** The address as the settings schema will judge it, so the button is off while it cannot pass. */
export function checkUrl(raw: string): string | null {
  const value = raw.trim();
  if (value === '') return 'Enter the address of your ComfyUI server.';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'The address must look like http://127.0.0.1:8188.';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'The address must start with http:// or https://.';
  if (u.username || u.password) return 'Leave the user name and password out of the address; enter the ComfyUI key instead.';
  if (u.search || u.hash) return 'The address must not contain a query (?…) or a fragment (#…).';
  return null;
}
