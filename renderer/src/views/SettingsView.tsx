// Settings: the proxy's port, the host names tunnels arrive by, extra allowed origins and the input folders keys
// share (saved together, Save off while invalid, each message naming its field), start at sign-in,
// notifications and theme (applied at once).
import { useEffect, useState } from 'react';
import type { SettingsView as Settings, ThemeSetting } from '../../../preload/contract';
import { Card, ErrorBanner, Field, Loading, Segmented, Switch } from '../components/ui';
import { useSettingsStore } from '../stores/settingsStore';
import { checkSettingsDraft, lines, normalFolder, type SettingsDraft } from './settingsRules';

const THEMES: { value: ThemeSetting; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

function toDraft(s: Settings): SettingsDraft {
  return {
    listenPort: String(s.listenPort),
    allowedOrigins: s.allowedOrigins.join('\n'),
    allowedHosts: s.allowedHosts.join('\n'),
    sharedInputFolders: s.sharedInputFolders.join('\n'),
  };
}

/** What is private and what keys share in ComfyUI's input folder (SPEC §8.3). */
const SHARED_FOLDERS_HINT = (
  <>
    Each access key’s uploads are its own (in <code>private-&lt;key id&gt;/</code>): no other key can list, open or load them. Every key may read the input
    folder’s top level and <code>3d/</code>. List more folders every key may read, one per line, e.g. <code>team</code> or <code>refs/faces</code>.
  </>
);

/** What the allowed host names are for, and what they cannot do (SPEC §8.0). */
function TunnelHint({ port }: { port: number }) {
  return (
    <>
      Names people use to reach the proxy besides this computer, one per line: a name allows any port, <code>name:port</code> only that port.
      <ul className="hint-list" data-testid="tunnel-hint">
        <li>
          An SSH tunnel (<code>ssh -L 9000:127.0.0.1:{port} …</code>) needs nothing: it arrives as localhost, with any port.
        </li>
        <li>Tailscale serve, a reverse proxy or any other name needs its name here.</li>
        <li>Over another name, Comfy account login with Google or GitHub does not work (it only accepts localhost); logging in with a Comfy API key does.</li>
      </ul>
    </>
  );
}

export function SettingsView() {
  const { settings, saving, error, fieldErrors, savedAt, load, save } = useSettingsStore();
  const [draft, setDraft] = useState<SettingsDraft | null>(null);
  // "Saved." belongs to this form, not to a switch or the theme saved elsewhere on the page.
  const [formSaved, setFormSaved] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (settings && draft === null) setDraft(toDraft(settings));
  }, [settings, draft]);

  if (!settings || !draft) return error ? <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner> : <Loading />;

  const dirty = JSON.stringify(draft) !== JSON.stringify(toDraft(settings));
  const local = checkSettingsDraft(draft);
  const invalid = Object.keys(local).length > 0;
  const shown = { ...fieldErrors, ...local };
  const submit = () => {
    if (invalid) return;
    setFormSaved(false);
    void save({
      listenPort: Number(draft.listenPort.trim()),
      allowedHosts: lines(draft.allowedHosts).map((h) => h.toLowerCase()),
      allowedOrigins: lines(draft.allowedOrigins),
      sharedInputFolders: lines(draft.sharedInputFolders).map(normalFolder),
    }).then((saved) => {
      setFormSaved(saved);
      // Show what was stored (trimmed, lowercase names), so the form is not "changed" right after Save.
      if (saved) setDraft(null);
    });
  };

  return (
    <div className="view-grid settings">
      <Card title="Proxy">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field label="Port" error={shown.listenPort} hint="The proxy listens on this computer only (127.0.0.1). A new port restarts it; people need the new address.">
            {(p) => <input {...p} className="num short" inputMode="numeric" value={draft.listenPort} onChange={(e) => setDraft({ ...draft, listenPort: e.target.value })} />}
          </Field>
          <Field label="Host names for tunnels" error={shown.allowedHosts} hint={<TunnelHint port={settings.listenPort} />}>
            {(p) => (
              <textarea {...p} rows={2} value={draft.allowedHosts} onChange={(e) => setDraft({ ...draft, allowedHosts: e.target.value })} placeholder="gpu-box.tailnet.ts.net" spellCheck={false} />
            )}
          </Field>
          <Field
            label="Extra allowed origins"
            error={shown.allowedOrigins}
            hint="Other web pages that may call the proxy from a browser, one per line, e.g. http://localhost:5173. ComfyUI opened through the proxy never needs one."
          >
            {(p) => <textarea {...p} rows={3} value={draft.allowedOrigins} onChange={(e) => setDraft({ ...draft, allowedOrigins: e.target.value })} spellCheck={false} />}
          </Field>
          <Field label="Shared input folders" error={shown.sharedInputFolders} hint={SHARED_FOLDERS_HINT}>
            {(p) => (
              <textarea {...p} rows={2} value={draft.sharedInputFolders} onChange={(e) => setDraft({ ...draft, sharedInputFolders: e.target.value })} placeholder="team" spellCheck={false} />
            )}
          </Field>
          <div className="form-actions">
            <span className="muted small grow" role="status">
              {invalid ? 'Fix the marked fields to save.' : error && Object.keys(fieldErrors).length === 0 ? <span className="error-text">{error}</span> : formSaved && savedAt && !dirty ? 'Saved.' : dirty ? 'Unsaved changes' : '\u00a0'}
            </span>
            <button type="button" className="button" disabled={!dirty || saving} onClick={() => setDraft(toDraft(settings))}>
              Undo changes
            </button>
            <button type="submit" className="button button-primary" disabled={!dirty || saving || invalid}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      </Card>
      <div className="stack-lg">
        <Card title="Startup">
          <Switch
            label="Start at sign-in"
            hint="Starts the app in the tray when you sign in to this computer, so the proxy is always there."
            checked={settings.startAtLogin}
            onChange={(startAtLogin) => save({ startAtLogin })}
          />
        </Card>
        <Card title="Notifications">
          <div data-testid="notification-settings" className="switches">
            <Switch
              label="Your jobs"
              hint="When a job you queued (with this app’s admin key) finishes or fails."
              checked={settings.notifications.jobs}
                onChange={(jobs) => save({ notifications: { jobs } })}
            />
            <Switch
              label="ComfyUI server"
              hint="When the ComfyUI server stops answering, and when it is back."
              checked={settings.notifications.upstream}
                onChange={(upstream) => save({ notifications: { upstream } })}
            />
          </div>
        </Card>
        <Card title="Appearance">
          <div className="field">
            <span className="label">Theme</span>
            <Segmented label="Theme" value={settings.theme} options={THEMES} onChange={(theme) => void save({ theme })} />
            <div className="field-hint">System follows your computer’s light or dark mode.</div>
          </div>
        </Card>
      </div>
    </div>
  );
}
