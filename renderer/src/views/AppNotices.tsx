// Notices that must not be missed, in plain words with the fix: a settings file that was reset, secrets
// that will be forgotten at quit (no usable keychain), stored secrets that could not be read, and a
// ComfyUI that anyone on its network can use without a key.
import { useState } from 'react';
import type { AppStatus } from '../../../preload/contract';
import { Banner } from '../components/ui';
import { useStatusStore } from '../stores/statusStore';
import { useUiStore } from '../stores/uiStore';

function platform(): string {
  return (globalThis as { companion?: { platform?: string } }).companion?.platform ?? '';
}

/** The secret-store notice: what it means for the user and how to fix it; the technical reason folded away. */
export function SecretStoreNotice({ status }: { status: AppStatus }) {
  const [details, setDetails] = useState(false);
  const b = status.secretBackend;
  if (b.persistent) return null;
  const os = platform();
  const fix =
    os === 'linux' || os === 'test'
      ? 'To keep them, install and unlock a password store — GNOME Keyring or KWallet (e.g. sudo apt install gnome-keyring) — then restart the app.'
      : os === 'darwin'
        ? 'To keep them, make sure your login keychain is unlocked (Keychain Access), then restart the app.'
        : 'To keep them, make sure Windows Credential Manager is available for your account, then restart the app.';
  return (
    <Banner
      tone="warn"
      title="Keys you enter are forgotten when the app quits"
      testId="secret-store-notice"
      actions={
        <button type="button" className="button button-small button-quiet" aria-expanded={details} onClick={() => setDetails(!details)}>
          {details ? 'Hide details' : 'Details'}
        </button>
      }
    >
      <p>This computer has no password store the app can use, so your ComfyUI key and Comfy Cloud key are kept in memory only. Access keys are not affected. {fix}</p>
      {details && <p className="notice-detail mono">{b.reason}</p>}
    </Banner>
  );
}

/** ComfyUI on another machine without a key: the proxy's keys do not protect it from its own network. */
export function ExposureNotice({ status, showLink = true }: { status: AppStatus; showLink?: boolean }) {
  const setView = useUiStore((s) => s.setView);
  const u = status.upstream;
  if (u.loopback || u.keyHint !== null) return null;
  let host = u.url;
  try {
    host = new URL(u.url).host;
  } catch {
    // Shown as typed.
  }
  return (
    <Banner
      tone="warn"
      title={`Anyone on the network can use ComfyUI at ${host} without a key`}
      testId="exposure-notice"
      actions={
        showLink ? (
          <button type="button" className="button button-small" onClick={() => setView('connection')}>
            ComfyUI connection
          </button>
        ) : undefined
      }
    >
      <p>
        Access keys only protect requests that come through this app. ComfyUI itself still answers everyone who can reach {host}, with no key and no limits. To close it, start ComfyUI
        with <code>--listen 127.0.0.1</code> on that machine and run the companion there (others connect over an SSH tunnel), or put ComfyUI behind a key and enter that key under ComfyUI connection.
      </p>
    </Banner>
  );
}

/** Settings-reset notices and unreadable stored secrets. */
export function ResetNotices({ status }: { status: AppStatus }) {
  const dismiss = useStatusStore((s) => s.dismissNotice);
  return (
    <>
      {status.notices.map((n) => (
        <Banner
          key={n.id}
          tone="warn"
          title="Your settings were reset"
          testId="settings-reset-notice"
          actions={
            <button type="button" className="button button-small" onClick={() => void dismiss(n.id)}>
              Dismiss
            </button>
          }
        >
          <p>{n.message} Check the port and the ComfyUI connection; your access keys were not touched.</p>
        </Banner>
      ))}
      {status.warnings.length > 0 && (
        <Banner tone="warn" title="A saved key could not be read">
          <p>{status.warnings.join(' ')} Enter it again where it is used (ComfyUI connection or Comfy Cloud).</p>
        </Banner>
      )}
    </>
  );
}
