// ComfyUI connection: the one place for the ComfyUI servers and their key. The servers card lists each
// server with its state and adds, changes, removes or promotes one; the key is checked with every server and
// saved only when none refuses it; the Check card shows each server's answer. Says where a remembered key is
// kept, and warns when a ComfyUI is open to its network.
import { useState } from 'react';
import type { UpstreamCheck } from '../../../preload/contract';
import { Card, ErrorBanner, Field, Loading } from '../components/ui';
import { formatMs } from '../format';
import { useConnectionStore, type ConnectionOutcome } from '../stores/connectionStore';
import { useStatusStore } from '../stores/statusStore';
import { ExposureNotice, SecretStoreNotice } from './AppNotices';
import { deviceLabel } from './HomeView';
import { ServersCard } from './ServersCard';

export { checkUrl } from './connectionRules';

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

function ServerAnswer({ c, named, why }: { c: UpstreamCheck; named: boolean; why: boolean }) {
  const what = [c.comfyuiVersion ? `ComfyUI ${c.comfyuiVersion}` : null, c.device ? deviceLabel(c.device) : null].filter(Boolean).join(' · ');
  return (
    <div className="server-answer" data-testid="server-answer">
      {named && <div className="mono small server-answer-url">{c.url}</div>}
      <ul className="checks">
        <Check ok={c.reachable} label={c.reachable ? 'ComfyUI answers' : 'ComfyUI does not answer'} detail={c.latencyMs !== null ? formatMs(c.latencyMs) : undefined} />
        {c.reachable && <Check ok={c.keyAccepted} label={c.keyAccepted === null ? 'No key needed' : c.keyAccepted ? 'Key accepted' : 'Key refused'} />}
      </ul>
      {what && <div className="muted small">{what}</div>}
      {why && !c.reachable && <div className="muted small">{c.message}</div>}
    </div>
  );
}

function Outcome({ outcome }: { outcome: ConnectionOutcome }) {
  const named = outcome.checks.length > 1 || outcome.action === 'add';
  return (
    <div className="probe" aria-live="polite">
      {outcome.checks.map((c) => (
        <ServerAnswer key={c.url} c={c} named={named} why={outcome.action !== 'add'} />
      ))}
      {outcome.message && outcome.saved !== null && (
        <p className={outcome.saved ? 'note note-ok' : 'note note-error'}>
          {outcome.message}
          {outcome.saved || /Nothing was saved/.test(outcome.message) ? '' : ' Nothing was saved.'}
        </p>
      )}
    </div>
  );
}

function KeyCard() {
  const status = useStatusStore((s) => s.status);
  const { busy, fieldErrors, saveKey } = useConnectionStore();
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(true);
  if (!status) return null;
  const backend = status.secretBackend;
  const canRemember = backend.persistent;
  const several = status.upstream.urls.length > 1;
  return (
    <Card title="ComfyUI key">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void saveKey(key === '' ? null : key, remember && canRemember).then((saved) => saved && setKey(''));
        }}
      >
        <Field
          label="ComfyUI key"
          hint={
            status.upstream.keyHint
              ? `Saved: ${status.upstream.keyHint}. Enter it again to keep it; saving with this empty removes it.`
              : `Only if your ComfyUI ${several ? 'servers ask' : 'server asks'} for a key (e.g. behind its own login). The proxy sends it${several ? ' to every server' : ''}; people never see it.`
          }
          error={fieldErrors.key}
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
          <button type="submit" className="button button-primary" disabled={busy !== null}>
            {busy === 'key' ? 'Checking…' : 'Check and save key'}
          </button>
        </div>
      </form>
    </Card>
  );
}

function CheckCard() {
  const { busy, outcome, error } = useConnectionStore();
  const working = busy === 'check' || busy === 'add' || busy === 'key';
  return (
    <Card title="Check">
      {error && <ErrorBanner>{error}</ErrorBanner>}
      {working && <Loading label="Contacting ComfyUI…" />}
      {!working && outcome && <Outcome outcome={outcome} />}
      {!working && !outcome && !error && (
        <div className="muted result-placeholder">Each check asks ComfyUI for its system stats with the key. Adding a server or saving the key saves only what works.</div>
      )}
    </Card>
  );
}

export function ConnectionView() {
  const status = useStatusStore((s) => s.status);
  if (!status) return <Loading />;
  return (
    <div className="stack-lg">
      <ExposureNotice status={status} showLink={false} />
      <div className="view-grid">
        <ServersCard status={status} />
        <KeyCard />
        <CheckCard />
      </div>
      <SecretStoreNotice status={status} />
    </div>
  );
}
