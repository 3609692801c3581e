// The dialogs around a key's life: the show-once secret (one line, how to use it, must be confirmed
// before closing), rotate, and revoke — final, with the key's name typed, and "Disable instead" offered.
import { useState } from 'react';
import type { KeyView, NewKeySecret } from '../../../preload/contract';
import { Dialog } from '../components/Dialog';
import { CopyButton, CopyField, ErrorBanner } from '../components/ui';
import { errorMessage } from '../ipc';
import { accessLabel, limitsSummary } from '../keyWords';

export function SecretDialog({ created, proxyUrl, onDone }: { created: NewKeySecret; proxyUrl: string | null; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  const url = proxyUrl ?? 'http://127.0.0.1:8189';
  const curl = `curl -H "Authorization: Bearer $COMFY_KEY" ${url}/system_stats`;
  return (
    <Dialog
      title={`Access key for ${created.key.name}`}
      onClose={onDone}
      dismissible={saved}
      width="wide"
      onSubmit={() => saved && onDone()}
      footer={
        <>
          <label className="confirm grow">
            <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} />I have copied this key
          </label>
          <button type="submit" className="button button-primary" disabled={!saved}>
            Done
          </button>
        </>
      }
    >
      <p>
        <strong>Copy it now — this is the only time it is shown.</strong> Send it to the person or paste it into the script; the app keeps only a fingerprint of it.
      </p>
      <CopyField value={created.secret} label="New access key" copyLabel="Copy key" autoFocus />
      <p className="muted small key-summary">
        {accessLabel(created.key.scopes)} access · {limitsSummary(created.key)}
      </p>
      <h3 className="howto-title">How to use it</h3>
      <div className="howto">
        <div className="howto-item">
          <div className="label">In a browser</div>
          <div className="row">
            <p className="muted small grow">
              Open <span className="mono">{url}</span> and enter the key on the login page. From another computer, use an SSH tunnel to this one first.
            </p>
            <CopyButton text={url} label="Copy address" className="button button-small" />
          </div>
        </div>
        <div className="howto-item">
          <div className="label">In a script</div>
          <p className="muted small">Send it as a bearer token, with COMFY_KEY set to the key:</p>
          <div className="code-row">
            <code className="code-block">{curl}</code>
            <CopyButton text={curl} label="Copy" className="button button-small" ariaLabel="Copy the curl command" />
          </div>
        </div>
      </div>
    </Dialog>
  );
}

export function RevokeDialog({ keyView, onCancel, onRevoke, onDisable }: { keyView: KeyView; onCancel: () => void; onRevoke: () => Promise<void>; onDisable?: () => Promise<void> }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const matches = typed.trim() === keyView.name;

  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={`Revoke ${keyView.name}?`}
      onClose={onCancel}
      onSubmit={() => matches && void run(onRevoke)}
      footer={
        <>
          {onDisable && (
            <button type="button" className="button button-quiet grow-right" disabled={busy} onClick={() => void run(onDisable)}>
              Disable instead
            </button>
          )}
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={!matches || busy}>
            Revoke key
          </button>
        </>
      }
    >
      {error && <ErrorBanner>{error}</ErrorBanner>}
      <p>
        <strong>Revoking is final.</strong> Scripts and browsers using this key are refused at once and its open connections are closed. A revoked key can never be enabled or rotated again.
      </p>
      <p className="muted">To shut it out for a while instead, disable it: you can enable it again later.</p>
      <label className="stack">
        <span>
          Type <strong className="mono">{keyView.name}</strong> to confirm
        </span>
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} aria-label="Key name to confirm" />
      </label>
    </Dialog>
  );
}

export function RotateDialog({ keyView, onCancel, onRotate }: { keyView: KeyView; onCancel: () => void; onRotate: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit() {
    setBusy(true);
    try {
      await onRotate();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }
  return (
    <Dialog
      title={`Rotate the secret of ${keyView.name}?`}
      onClose={onCancel}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            Rotate secret
          </button>
        </>
      }
    >
      {error && <ErrorBanner>{error}</ErrorBanner>}
      <p>The key gets a new secret and the current one stops working now: whoever uses it needs the new one. Its name, access, limits and usage stay.</p>
    </Dialog>
  );
}
