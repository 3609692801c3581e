// Log-out controls, the same as the tray's Log out menu: all browser sessions, Comfy Cloud, or
// everything (behind a confirmation), plus Quit. A smaller card on Access keys shows the browser
// sessions where they come from (people logging in with an access key).
import { useState } from 'react';
import { Dialog } from '../components/Dialog';
import { LogoutIcon } from '../components/icons';
import { Card } from '../components/ui';
import { call, errorMessage } from '../ipc';
import { useCloudStore } from '../stores/cloudStore';
import { useStatusStore } from '../stores/statusStore';

function browsers(n: number): string {
  return n === 0 ? 'No browser is' : n === 1 ? '1 browser is' : `${n} browsers are`;
}

function useLogout() {
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const apply = useStatusStore((s) => s.apply);
  const reload = useStatusStore((s) => s.load);
  async function run(what: 'browsers' | 'cloud' | 'everything') {
    setBusy(true);
    try {
      if (what === 'browsers') {
        const { revoked } = await call('session:logoutBrowsers');
        setMessage(revoked === 1 ? '1 browser was logged out.' : `${revoked} browsers were logged out.`);
        void reload();
      } else if (what === 'cloud') {
        useCloudStore.getState().apply(await call('cloud:logout'));
        setMessage('Logged out of Comfy Cloud; the key was removed from this computer.');
      } else {
        apply(await call('session:logoutEverything'));
        setMessage('Logged out of everything: browsers, Comfy Cloud and the ComfyUI key. Access keys still work.');
      }
    } catch (err) {
      setMessage(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return { message, busy, run };
}

export function BrowserSessionsCard() {
  const count = useStatusStore((s) => s.status?.sessions ?? 0);
  const { message, busy, run } = useLogout();
  return (
    <Card title="Browser sessions" className="sessions-card">
      <div className="row">
        <p className="grow muted" data-testid="browser-sessions">
          {count === 0 ? 'No browser is logged in with an access key.' : `${browsers(count)} logged in with an access key. Revoking or disabling a key logs its browsers out too.`}
        </p>
        <button type="button" className="button" disabled={busy || count === 0} onClick={() => void run('browsers')}>
          <LogoutIcon /> Log out all browsers
        </button>
      </div>
      {message && (
        <p className="note" role="status">
          {message}
        </p>
      )}
    </Card>
  );
}

export function SignOutCard() {
  const sessions = useStatusStore((s) => s.status?.sessions ?? 0);
  const cloudIn = useCloudStore((s) => s.status?.loggedIn ?? false);
  const { message, busy, run } = useLogout();
  const [confirm, setConfirm] = useState(false);
  const [quitError, setQuitError] = useState<string | null>(null);

  return (
    <Card title="Log out">
      <p className="muted">
        {browsers(sessions)} logged in through the proxy{cloudIn ? ', and this computer is logged in to Comfy Cloud.' : '.'}
      </p>
      <div className="row">
        <button type="button" className="button" disabled={busy || sessions === 0} onClick={() => void run('browsers')}>
          Log out browsers{sessions > 0 ? ` (${sessions})` : ''}
        </button>
        <button type="button" className="button" disabled={busy || !cloudIn} onClick={() => void run('cloud')}>
          Log out of Comfy Cloud
        </button>
        <button type="button" className="button button-danger-outline" disabled={busy} onClick={() => setConfirm(true)}>
          Log out everything…
        </button>
        <span className="grow" />
        <button type="button" className="button button-quiet" onClick={() => void call('app:quit').catch((err: unknown) => setQuitError(errorMessage(err)))}>
          Quit app
        </button>
      </div>
      {(message ?? quitError) && (
        <p className="note" role="status">
          {message ?? quitError}
        </p>
      )}
      {confirm && (
        <Dialog
          title="Log out of everything?"
          onClose={() => setConfirm(false)}
          onSubmit={() => void run('everything').then(() => setConfirm(false))}
          footer={
            <>
              <button type="button" className="button" onClick={() => setConfirm(false)}>
                Cancel
              </button>
              <button type="submit" className="button button-danger" disabled={busy}>
                Log out everything
              </button>
            </>
          }
        >
          <p>Every browser is logged out, and the ComfyUI key and the Comfy Cloud key are removed from this computer.</p>
          <p className="muted">Access keys keep working: revoke them under Access keys if you want to shut people out.</p>
        </Dialog>
      )}
    </Card>
  );
}
