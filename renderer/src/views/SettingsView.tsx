// Settings: listen port, upstream, extra allowed origins, start at login, theme. Field messages
// come from the settings schema in main, next to the field they name.
import { useEffect, useState } from 'react';
import type { SettingsView as Settings, ThemeSetting } from '../../../preload/contract';
import { Card, ErrorBanner, Field, Loading, Segmented } from '../components/ui';
import { useSettingsStore } from '../stores/settingsStore';

const THEMES: { value: ThemeSetting; label: string }[] = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

interface Draft {
  upstreamUrl: string;
  listenPort: string;
  allowedOrigins: string;
  startAtLogin: boolean;
}

function toDraft(s: Settings): Draft {
  return { upstreamUrl: s.upstreamUrl, listenPort: String(s.listenPort), allowedOrigins: s.allowedOrigins.join('\n'), startAtLogin: s.startAtLogin };
}

export function SettingsView() {
  const { settings, saving, error, fieldErrors, savedAt, load, save } = useSettingsStore();
  const [draft, setDraft] = useState<Draft | null>(null);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (settings && draft === null) setDraft(toDraft(settings));
  }, [settings, draft]);

  if (!settings || !draft) return error ? <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner> : <Loading />;

  const dirty = JSON.stringify(draft) !== JSON.stringify(toDraft(settings));
  const submit = () => {
    const port = Number(draft.listenPort);
    void save({
      upstreamUrl: draft.upstreamUrl.trim(),
      // Sent as typed so the schema's own message names the problem.
      listenPort: draft.listenPort.trim() === '' || Number.isNaN(port) ? (draft.listenPort as unknown as number) : port,
      allowedOrigins: draft.allowedOrigins
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
      startAtLogin: draft.startAtLogin,
    });
  };

  return (
    <div className="view-grid">
      <Card title="Proxy">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field label="Upstream URL" error={fieldErrors.upstreamUrl} hint="The ComfyUI server requests are forwarded to">
            {(p) => <input {...p} value={draft.upstreamUrl} onChange={(e) => setDraft({ ...draft, upstreamUrl: e.target.value })} spellCheck={false} />}
          </Field>
          <Field label="Listen port" error={fieldErrors.listenPort} hint="On 127.0.0.1 only; clients connect here">
            {(p) => <input {...p} className="num short" inputMode="numeric" value={draft.listenPort} onChange={(e) => setDraft({ ...draft, listenPort: e.target.value })} />}
          </Field>
          <Field label="Allowed extra origins" error={fieldErrors.allowedOrigins} hint="One per line, like http://localhost:5173. The proxy's own origin is always allowed.">
            {(p) => <textarea {...p} rows={3} value={draft.allowedOrigins} onChange={(e) => setDraft({ ...draft, allowedOrigins: e.target.value })} spellCheck={false} />}
          </Field>
          <label className="toggle">
            <input type="checkbox" checked={draft.startAtLogin} onChange={(e) => setDraft({ ...draft, startAtLogin: e.target.checked })} />
            Start at login
          </label>
          <div className="form-actions">
            <span className="muted small grow" role="status">
              {error && Object.keys(fieldErrors).length === 0 ? <span className="error-text">{error}</span> : savedAt && !dirty ? 'Saved.' : dirty ? 'Unsaved changes' : '\u00a0'}
            </span>
            <button type="button" className="button" disabled={!dirty || saving} onClick={() => setDraft(toDraft(settings))}>
              Reset
            </button>
            <button type="submit" className="button button-primary" disabled={!dirty || saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      </Card>
      <Card title="Appearance">
        <div className="field">
          <span className="label">Theme</span>
          <Segmented label="Theme" value={settings.theme} options={THEMES} onChange={(theme) => void save({ theme })} />
          <div className="field-hint">System follows the operating system's light or dark mode.</div>
        </div>
      </Card>
    </div>
  );
}
