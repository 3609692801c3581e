// Log out controls shared with the tray's Log out menu: browser sessions or everything (secrets
// cleared, sessions revoked), the latter behind a confirmation.
import { useState } from 'react';
import { Dialog } from '../components/Dialog';
import { Card } from '../components/ui';
import { call, errorMessage } from '../ipc';
import { useStatusStore } from '../stores/statusStore';

export function SessionsCard() {
  const [message, setMessage] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const apply = useStatusStore((s) => s.apply);

  async function run(what: 'browsers' | 'everything') {
    setBusy(true);
    try {
      if (what === 'browsers') {
        const { revoked } = await call('session:logoutBrowsers');
        setMessage(revoked === 1 ? '1 browser session was logged out.' : `${revoked} browser sessions were logged out.`);
      } else {
        apply(await call('session:logoutEverything'));
        setMessage('Logged out everywhere: stored secrets cleared and browser sessions revoked.');
      }
    } catch (err) {
      setMessage(errorMessage(err));
    } finally {
      setBusy(false);
      setConfirm(false);
    }
  }

  return (
    <Card title="Sessions" className="span-2">
      <div className="row">
        <p className="muted grow">Browsers logged in through the proxy's login page keep a session cookie. Log them out here.</p>
        <button type="button" className="button" disabled={busy} onClick={() => void run('browsers')}>
          Log out browser sessions
        </button>
        <button type="button" className="button button-danger-outline" disabled={busy} onClick={() => setConfirm(true)}>
          Log out everything…
        </button>
      </div>
      {message && (
        <p className="note" role="status">
          {message}
        </p>
      )}
      {confirm && (
        <Dialog
          title="Log out everything?"
          onClose={() => setConfirm(false)}
          onSubmit={() => void run('everything')}
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
          <p>This forgets the upstream key and the Comfy Cloud key, and logs out every browser session. Access keys stay valid.</p>
        </Dialog>
      )}
    </Card>
  );
}
