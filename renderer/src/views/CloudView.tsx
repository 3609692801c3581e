// Comfy Cloud: paste a comfyui-… key (format checked as you type), pick the environment, validate
// (with a visible retry countdown on 429), then show the account and credits; log out.
import { useEffect, useState } from 'react';
import type { CloudEnvironment } from '../../../preload/contract';
import { Card, ErrorBanner, Field, Loading, Segmented } from '../components/ui';
import { checkCloudKeyFormat } from '../cloudKeyFormat';
import { formatCredits } from '../format';
import { call } from '../ipc';
import { useCloudStore, type CloudError } from '../stores/cloudStore';

const ENVIRONMENTS: { value: CloudEnvironment; label: string }[] = [
  { value: 'production', label: 'Production' },
  { value: 'staging', label: 'Staging' },
  { value: 'custom', label: 'Custom' },
];

function useCountdown(until: number | null): number {
  // The interval only re-renders; the remaining time is read from the clock at render.
  const [, setTick] = useState(0);
  useEffect(() => {
    if (until === null) return;
    const t = setInterval(() => setTick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, [until]);
  return until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000));
}

export function describeCloudError(e: CloudError): string {
  switch (e.code) {
    case 'unauthorized':
      return `Invalid key: ${e.message}`;
    case 'rate_limited':
      return e.retryAfter !== undefined ? `Comfy Cloud is rate limiting requests. Try again in ${Math.ceil(e.retryAfter)} s.` : `Comfy Cloud is rate limiting requests: ${e.message}`;
    case 'offline':
      return 'You appear to be offline: Comfy Cloud could not be reached. Check the network and try again.';
    case 'timeout':
      return 'Comfy Cloud did not answer in time. Try again in a moment.';
    default:
      return e.message;
  }
}

function openPlatform() {
  void call('shell:openExternal', { target: 'platform-login' }).catch(() => undefined);
}

export function CloudView() {
  const { status, busy, retry, error, load, login, logout } = useCloudStore();
  const [key, setKey] = useState('');
  const [env, setEnv] = useState<CloudEnvironment>('production');
  const [customUrl, setCustomUrl] = useState('');
  const countdown = useCountdown(retry?.until ?? null);
  const format = checkCloudKeyFormat(key);

  useEffect(() => {
    void load();
  }, [load]);

  if (!status) return error ? <ErrorBanner onRetry={() => void load()}>{describeCloudError(error)}</ErrorBanner> : <Loading />;

  if (status.loggedIn) {
    return (
      <div className="view-grid">
        <Card
          title="Comfy Cloud account"
          actions={
            <button type="button" className="button" disabled={busy} onClick={() => void logout()}>
              Log out
            </button>
          }
        >
          <dl className="facts">
            <dt>Name</dt>
            <dd>{status.account?.name ?? '—'}</dd>
            <dt>Email</dt>
            <dd>{status.account?.email ?? '—'}</dd>
            <dt>Account id</dt>
            <dd className="mono">{status.account?.id ?? '—'}</dd>
            <dt>Environment</dt>
            <dd>
              {ENVIRONMENTS.find((e) => e.value === status.environment)?.label} <span className="muted mono small">{status.baseUrl}</span>
            </dd>
            <dt>Key</dt>
            <dd className="mono">{status.keyHint ?? '—'}</dd>
          </dl>
          {error && <ErrorBanner>{describeCloudError(error)}</ErrorBanner>}
        </Card>
        <Card title="Credits">
          {status.credits ? (
            <div className="big-number num">{formatCredits(status.credits.amount, status.credits.currency)}</div>
          ) : (
            <p className="muted">No balance available for this key.</p>
          )}
          <p className="muted small">API nodes in ComfyUI use this account through the proxy: the key is added to prompts queued through it.</p>
        </Card>
      </div>
    );
  }

  const canSubmit = format.state === 'ok' && !busy && (env !== 'custom' || customUrl.trim() !== '');
  return (
    <div className="view-grid">
      <Card title="Log in to Comfy Cloud">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!canSubmit) return;
            void login({ key, environment: env, ...(env === 'custom' ? { customBaseUrl: customUrl.trim() } : {}) }).then((ok) => ok && setKey(''));
          }}
        >
          <Field label="Comfy API key" error={format.state === 'bad' ? format.message : undefined} hint={format.state === 'ok' ? `✓ ${format.message}` : format.message}>
            {(p) => <input {...p} type="password" className="mono" value={key} onChange={(e) => setKey(e.target.value)} placeholder="comfyui-…" autoComplete="off" spellCheck={false} />}
          </Field>
          <div className="field">
            <span className="label">Environment</span>
            <Segmented label="Environment" value={env} options={ENVIRONMENTS} onChange={setEnv} />
          </div>
          {env === 'custom' && (
            <Field label="Base URL" hint="https, or http for localhost only">
              {(p) => <input {...p} type="url" value={customUrl} onChange={(e) => setCustomUrl(e.target.value)} placeholder="https://cloud.example.com/developer/api/v1" spellCheck={false} />}
            </Field>
          )}
          <div className="form-actions">
            <button type="button" className="button button-link" onClick={openPlatform}>
              No key? Get one here
            </button>
            <button type="submit" className="button button-primary" disabled={!canSubmit}>
              {busy ? 'Validating…' : 'Log in'}
            </button>
          </div>
        </form>
      </Card>
      <Card title="Status">
        <div aria-live="polite">
          {busy && !retry && <Loading label="Validating the key with Comfy Cloud…" />}
          {busy && retry && (
            <div className="banner banner-warn" role="status">
              Rate limited — retrying in {countdown} s (attempt {retry.attempt + 1})
            </div>
          )}
          {!busy && error && <ErrorBanner>{describeCloudError(error)}</ErrorBanner>}
          {!busy && !error && <p className="muted">Not logged in. The key is validated with Comfy Cloud and kept in secure storage; only a masked hint is shown afterwards.</p>}
        </div>
      </Card>
    </div>
  );
}
