// The dialogs around a key's lifecycle: the show-once secret (must be confirmed before closing),
// revoke with a typed confirmation, and rotate.
import { useState } from 'react';
import type { KeyView, NewKeySecret } from '../../../preload/contract';
import { Dialog } from '../components/Dialog';
import { ErrorBanner } from '../components/ui';
import { errorMessage } from '../ipc';

export function SecretDialog({ created, onDone }: { created: NewKeySecret; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function doCopy() {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  }

  return (
    <Dialog
      title={`Save the key for ${created.key.name}`}
      onClose={onDone}
      dismissible={saved}
      onSubmit={() => saved && onDone()}
      footer={
        <button type="submit" className="button button-primary" disabled={!saved}>
          Done
        </button>
      }
    >
      <p>This is the only time the key is shown. Store it in a password manager or your client's configuration now.</p>
      <div className="secret-row">
        {/* A wrapping read-only box: the whole key is visible, nothing scrolls out of view. */}
        <textarea className="secret mono" readOnly rows={2} value={created.secret} aria-label="New access key" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button" onClick={() => void doCopy()}>
          {copy === 'copied' ? 'Copied' : 'Copy'}
        </button>
      </div>
      <div className="field-hint" role="status">
        {copy === 'failed' ? 'Could not reach the clipboard — select the key and copy it by hand.' : copy === 'copied' ? 'Copied to the clipboard.' : '\u00a0'}
      </div>
      <label className="confirm">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} />I have saved this key
      </label>
    </Dialog>
  );
}

export function RevokeDialog({ keyView, onCancel, onRevoke }: { keyView: KeyView; onCancel: () => void; onRevoke: () => Promise<void> }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const matches = typed === keyView.name;

  async function submit() {
    if (!matches) return;
    setBusy(true);
    try {
      await onRevoke();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title="Revoke key"
      onClose={onCancel}
      onSubmit={() => void submit()}
      footer={
        <>
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
        Clients using <strong>{keyView.name}</strong> will be refused on their next request, and its browser sessions end.
      </p>
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
      title="Rotate key"
      onClose={onCancel}
      onSubmit={() => void submit()}
      footer={
        <>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            Rotate
          </button>
        </>
      }
    >
      {error && <ErrorBanner>{error}</ErrorBanner>}
      <p>
        <strong>{keyView.name}</strong> gets a new secret; the current one stops working. Its id, limits and usage stay.
      </p>
    </Dialog>
  );
}
