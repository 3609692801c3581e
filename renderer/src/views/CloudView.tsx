// Comfy Cloud: connect a comfyui-… key (format checked as you type, "Get a key" one click away,
// environments only behind "Advanced"), then the account with credits, when they were last read,
// and links to add credits and manage the account; log out.
import { useEffect, useState } from 'react';
import type { CloudEnvironment, ExternalTarget } from '../../../preload/contract';
import { ExternalIcon, RefreshIcon } from '../components/icons';
import { Card, ErrorBanner, Field, Loading, Segmented } from '../components/ui';
import { checkCloudKeyFormat } from '../cloudKeyFormat';
import { formatCredits, formatRelative } from '../format';
import { call } from '../ipc';
import { useCloudStore, type CloudError } from '../stores/cloudStore';
import { useStatusStore } from '../stores/statusStore';
import { SecretStoreNotice } from './AppNotices';
import { CloudSpendersCard } from './CloudSpendersCard';

const ENVIRONMENTS: { value: CloudEnvironment; label: string }[] = [
  { value: 'production', label: 'Production' },
  { value: 'staging', label: 'Staging' },
  { value: 'custom', label: 'Custom URL' },
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
      return `Comfy Cloud refused the key: ${e.message.replace(/\.?$/, '.')} Check that it was copied completely, or get a new one.`;
    case 'rate_limited':
      return e.retryAfter !== undefined ? `Comfy Cloud is busy. Try again in ${Math.ceil(e.retryAfter)} s.` : `Comfy Cloud is busy: ${e.message}`;
    case 'offline':
      return 'Comfy Cloud could not be reached. Check the internet connection and try again.';
    case 'timeout':
      return 'Comfy Cloud did not answer in time. Try again in a moment.';
    default:
      return e.message;
  }
}

function open(target: ExternalTarget) {
  void call('shell:openExternal', { target }).catch(() => undefined);
}

function LinkButton({ target, children, primary }: { target: ExternalTarget; children: React.ReactNode; primary?: boolean }) {
  return (
    <button type="button" className={primary ? 'button button-primary' : 'button'} onClick={() => open(target)}>
      {children} <ExternalIcon size={14} />
    </button>
  );
}

function LoggedIn() {
  const { status, busy, error, logout, refresh } = useCloudStore();
  // Re-render once a minute so "last updated" stays true.
  const [, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(t);
  }, []);
  if (!status) return null;
  const a = status.account;
  const who = a?.name ?? a?.email ?? 'Comfy account';
  return (
    <div className="view-grid">
      <Card title="Account" actions={<LinkButton target="platform-profile">Manage account</LinkButton>}>
        <div className="account-head">
          <span className="avatar" aria-hidden="true">
            {who.slice(0, 1).toUpperCase()}
          </span>
          <div>
            <div className="account-name">{who}</div>
            {a?.email && a.name && <div className="muted">{a.email}</div>}
          </div>
        </div>
        <dl className="facts">
          {a?.plan && (
            <>
              <dt>Plan</dt>
              <dd>{a.plan}</dd>
            </>
          )}
          <dt>Key</dt>
          <dd className="mono">{status.keyHint ?? '—'}</dd>
          {status.environment !== 'production' && (
            <>
              <dt>Environment</dt>
              <dd>
                {ENVIRONMENTS.find((e) => e.value === status.environment)?.label} <span className="muted mono small">{status.baseUrl}</span>
              </dd>
            </>
          )}
        </dl>
        <p className="muted small">API nodes in your workflows, and in those of access keys you allow, run on this account.</p>
        {error && <ErrorBanner>{describeCloudError(error)}</ErrorBanner>}
        <div className="form-actions">
          <button type="button" className="button button-danger-outline" disabled={busy} onClick={() => void logout()}>
            Log out of Comfy Cloud
          </button>
        </div>
      </Card>
      <Card title="Credits" actions={<LinkButton target="credits-help">Add credits</LinkButton>}>
        {status.credits ? (
          <div className="big-number num" data-testid="cloud-credits">
            {formatCredits(status.credits.amount, status.credits.currency)}
          </div>
        ) : (
          <p className="muted">Comfy Cloud did not report a balance for this key.</p>
        )}
        <div className="row muted small">
          <span data-testid="cloud-checked-at">{status.checkedAt ? `Last updated ${formatRelative(status.checkedAt)}` : 'Not read yet'}</span>
          <button type="button" className="button button-small button-quiet" disabled={busy} onClick={() => void refresh()}>
            <RefreshIcon size={14} /> {busy ? 'Updating…' : 'Update'}
          </button>
        </div>
      </Card>
      <CloudSpendersCard />
    </div>
  );
}

function LoggedOut() {
  const { busy, retry, error, login } = useCloudStore();
  const appStatus = useStatusStore((s) => s.status);
  const [key, setKey] = useState('');
  const [advanced, setAdvanced] = useState(false);
  const [env, setEnv] = useState<CloudEnvironment>('production');
  const [customUrl, setCustomUrl] = useState('');
  const countdown = useCountdown(retry?.until ?? null);
  const format = checkCloudKeyFormat(key);
  const environment = advanced ? env : 'production';
  const canSubmit = format.state === 'ok' && !busy && (environment !== 'custom' || customUrl.trim() !== '');

  return (
    <div className="stack-lg cloud-connect">
      <Card title="Connect your Comfy account">
        <p className="muted">
          With your account connected, API nodes (paid partner models) work in your workflows and in those of the access keys you allow. Their cost is charged to this account’s credits.
        </p>
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!canSubmit) return;
            void login({ key, environment, ...(environment === 'custom' ? { customBaseUrl: customUrl.trim() } : {}) }).then((ok) => ok && setKey(''));
          }}
        >
          <Field label="Comfy API key" error={format.state === 'bad' ? format.message : undefined} hint={format.state === 'ok' ? `✓ ${format.message}` : format.message}>
            {(p) => <input {...p} type="password" className="mono" value={key} onChange={(e) => setKey(e.target.value)} placeholder="comfyui-…" autoComplete="off" spellCheck={false} />}
          </Field>
          <div className="get-key">
            <span className="muted">No key yet? Create one in your Comfy account, then paste it here.</span>
            <LinkButton target="platform-login">Get a key</LinkButton>
          </div>
          <button type="button" className="disclosure" aria-expanded={advanced} onClick={() => setAdvanced(!advanced)}>
            <span aria-hidden="true">{advanced ? '▾' : '▸'}</span> Advanced
          </button>
          {advanced && (
            <div className="more-options">
              <div className="field">
                <span className="label">Environment</span>
                <Segmented label="Environment" value={env} options={ENVIRONMENTS} onChange={setEnv} />
                <div className="field-hint">Production is Comfy’s real service. Staging and custom URLs are for testing.</div>
              </div>
              {env === 'custom' && (
                <Field label="Base URL" hint="https, or http for this computer only">
                  {(p) => <input {...p} type="url" value={customUrl} onChange={(e) => setCustomUrl(e.target.value)} placeholder="https://cloud.example.com/developer/api/v1" spellCheck={false} />}
                </Field>
              )}
            </div>
          )}
          <div aria-live="polite" className="cloud-state">
            {busy && !retry && <Loading label="Checking the key with Comfy Cloud…" />}
            {busy && retry && (
              <div className="banner banner-warn" role="status">
                Comfy Cloud is busy — trying again in {countdown} s (attempt {retry.attempt + 1})
              </div>
            )}
            {!busy && error && <ErrorBanner>{describeCloudError(error)}</ErrorBanner>}
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={!canSubmit}>
              {busy ? 'Checking…' : 'Connect'}
            </button>
          </div>
        </form>
      </Card>
      {appStatus && <SecretStoreNotice status={appStatus} />}
    </div>
  );
}

export function CloudView() {
  const { status, error, load } = useCloudStore();
  useEffect(() => {
    void load();
  }, [load]);
  if (!status) return error ? <ErrorBanner onRetry={() => void load()}>{describeCloudError(error)}</ErrorBanner> : <Loading />;
  return status.loggedIn ? <LoggedIn /> : <LoggedOut />;
}
