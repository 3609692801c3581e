// Login: the upstream ComfyUI URL and its optional key, validated against an authenticated upstream
// endpoint with a clear checklist, and where a remembered key will be kept.
import { useEffect, useState } from 'react';
import type { UpstreamProbe } from '../../../preload/contract';
import { Card, ErrorBanner, Field, Loading } from '../components/ui';
import { formatMs } from '../format';
import { call, errorMessage, fieldErrors } from '../ipc';
import { useStatusStore } from '../stores/statusStore';
import { SessionsCard } from './SessionsCard';

const BACKEND_WORDS = {
  keychain: 'in the system keychain',
  safeStorage: 'encrypted in the app settings',
  memory: 'for this session only',
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

export function LoginView() {
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

  async function submit() {
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
    <div className="view-grid">
      <Card title="Upstream ComfyUI">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Field label="Upstream URL" hint="The ComfyUI server the proxy forwards to" error={fields.url}>
            {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://127.0.0.1:8188" spellCheck={false} autoComplete="off" />}
          </Field>
          <Field
            label="Upstream key"
            hint={status.upstream.keyHint ? `Saved key: ${status.upstream.keyHint}. Enter it again to keep it; saving with this empty removes it.` : 'Only if ComfyUI was started with --api-key'}
            error={fields.key}
          >
            {(p) => <input {...p} type="password" value={key} onChange={(e) => setKey(e.target.value)} placeholder="Optional" autoComplete="off" spellCheck={false} />}
          </Field>
          <fieldset className="radio-group">
            <legend>Remember the key</legend>
            <label className={canRemember ? '' : 'disabled'}>
              <input type="radio" name="remember" checked={remember && canRemember} disabled={!canRemember} onChange={() => setRemember(true)} />
              Remember on this computer{canRemember ? ` (kept ${BACKEND_WORDS[backend.kind]})` : ''}
            </label>
            <label>
              <input type="radio" name="remember" checked={!remember || !canRemember} onChange={() => setRemember(false)} />
              This session only
            </label>
            {!canRemember && <p className="note">{backend.reason}. The key will be forgotten when the app quits.</p>}
          </fieldset>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={busy || url.trim() === ''}>
              {busy ? 'Validating…' : 'Validate and save'}
            </button>
          </div>
        </form>
      </Card>

      <Card title="Result">
        {error && <ErrorBanner>{error}</ErrorBanner>}
        {!probe && !error && (
          <div className="muted result-placeholder">
            {busy ? <Loading label="Contacting the upstream…" /> : 'Validate to check that the upstream answers and accepts the key.'}
          </div>
        )}
        {probe && (
          <div className="probe" aria-live="polite">
            <ul className="checks">
              <Check ok={probe.reachable} label="Reachable" detail={probe.latencyMs !== null ? formatMs(probe.latencyMs) : undefined} />
              <Check ok={probe.keyAccepted} label={probe.keyAccepted === null ? 'No key required' : 'Key accepted'} />
            </ul>
            <dl className="facts">
              <dt>ComfyUI</dt>
              <dd>{probe.comfyuiVersion ?? '—'}</dd>
              <dt>Device</dt>
              <dd>{probe.device ?? '—'}</dd>
            </dl>
            <p className={probe.saved ? 'note note-ok' : 'note note-error'}>
              {probe.message}
              {probe.saved ? '' : ' Nothing was saved.'}
            </p>
          </div>
        )}
      </Card>
      <SessionsCard />
    </div>
  );
}
