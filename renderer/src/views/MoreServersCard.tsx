// More ComfyUI servers behind the same proxy (SPEC §10): one address per line, saved to the settings; the
// proxy restarts with all of them and sends each job to the server with the shortest queue.
import { useEffect, useState } from 'react';
import { Card, Field } from '../components/ui';
import { useSettingsStore } from '../stores/settingsStore';
import { checkUrl } from './ConnectionView';

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The first problem among the lines, named by its line, or null. */
export function checkServerList(text: string): string | null {
  const list = lines(text);
  if (list.length > 8) return 'At most 8 additional ComfyUI servers can be added.';
  for (const [i, line] of list.entries()) {
    const problem = checkUrl(line);
    if (problem) return `Line ${i + 1}: ${problem}`;
  }
  if (new Set(list.map((u) => u.replace(/\/+$/, ''))).size !== list.length) return 'Each server may be listed only once.';
  return null;
}

export function MoreServersCard() {
  const { settings, saving, fieldErrors, load, save } = useSettingsStore();
  const [draft, setDraft] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (settings && draft === null) setDraft(settings.additionalUpstreams.join('\n'));
  }, [settings, draft]);
  if (!settings || draft === null) return null;

  const problem = checkServerList(draft);
  const dirty = lines(draft).join('\n') !== settings.additionalUpstreams.join('\n');
  const submit = () => {
    if (problem) return;
    setSaved(false);
    void save({ additionalUpstreams: lines(draft) }).then(setSaved);
  };
  return (
    <Card title="More ComfyUI servers">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field
          label="Other servers"
          error={fieldErrors.additionalUpstreams ?? (draft.trim() ? (problem ?? undefined) : undefined)}
          hint="One address per line. Each job goes to the server with the shortest queue; uploads go to all of them. They need the same models and custom nodes (the proxy checks), and the ComfyUI key above, if any, is sent to every one."
        >
          {(p) => <textarea {...p} rows={3} value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="http://gpu-box-2:8188" spellCheck={false} />}
        </Field>
        <div className="form-actions">
          <span className="muted small grow" role="status">
            {saved && !dirty ? 'Saved. The proxy restarted with these servers.' : dirty ? 'Unsaved changes' : '\u00a0'}
          </span>
          <button type="submit" className="button button-primary" disabled={!dirty || saving || !!problem}>
            {saving ? 'Saving…' : 'Save servers'}
          </button>
        </div>
      </form>
    </Card>
  );
}
