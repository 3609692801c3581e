// The create/edit form of an access key: name, rate limit, expiry, scopes, metadata rows.
import { useState } from 'react';
import type { KeyCreateRequest, KeyView, Scope } from '../../../preload/contract';
import { Dialog } from '../components/Dialog';
import { ErrorBanner, Field } from '../components/ui';
import { errorMessage, fieldErrors } from '../ipc';

const DAY = 86_400_000;
const EXPIRY = [
  { value: 'never', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
  { value: 'keep', label: 'Keep current' },
] as const;
type Expiry = (typeof EXPIRY)[number]['value'];

const SCOPE_INFO: { scope: Scope; label: string; hint: string }[] = [
  { scope: 'read', label: 'Read', hint: 'GET only: monitor, history, images' },
  { scope: 'generate', label: 'Generate', hint: 'Queue prompts, upload, interrupt' },
  { scope: 'admin', label: 'Admin', hint: 'Everything, including key management' },
];

interface Row {
  id: number;
  k: string;
  v: string;
}

interface KeyFormProps {
  existing?: KeyView;
  onCancel: () => void;
  onSubmit: (req: KeyCreateRequest & { expiresAt?: number | null }) => Promise<void>;
}

export function KeyFormDialog({ existing, onCancel, onSubmit }: KeyFormProps) {
  const [name, setName] = useState(existing?.name ?? '');
  const [rate, setRate] = useState(String(existing?.rateLimit ?? 100));
  const [expiry, setExpiry] = useState<Expiry>(existing ? 'keep' : 'never');
  const [scopes, setScopes] = useState<Scope[]>(existing?.scopes ?? ['generate']);
  const [rows, setRows] = useState<Row[]>(() => Object.entries(existing?.metadata ?? {}).map(([k, v], i) => ({ id: i, k, v })));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});

  const rateNum = Number(rate);
  const localErrors: Record<string, string> = {};
  if (name.trim() === '') localErrors.name = 'A name is required';
  if (!Number.isInteger(rateNum) || rateNum < 1) localErrors.rateLimit = 'A whole number of requests per hour, at least 1';
  if (scopes.length === 0) localErrors.scopes = 'Choose at least one scope';
  const dupKey = rows.find((r, i) => r.k.trim() !== '' && rows.findIndex((o) => o.k.trim() === r.k.trim()) !== i);
  if (dupKey) localErrors.metadata = `Metadata key "${dupKey.k.trim()}" appears twice`;
  const [touched, setTouched] = useState(false);
  const shown = touched ? { ...localErrors, ...fields } : fields;

  async function submit() {
    setTouched(true);
    if (Object.keys(localErrors).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const metadata: Record<string, string> = {};
      for (const r of rows) if (r.k.trim() !== '') metadata[r.k.trim()] = r.v;
      const req: KeyCreateRequest = { name: name.trim(), rateLimit: rateNum, scopes, metadata };
      if (expiry === 'never') req.expiresAt = null;
      else if (expiry !== 'keep') req.expiresAt = Date.now() + Number(expiry) * DAY;
      await onSubmit(req);
    } catch (err) {
      setError(errorMessage(err));
      setFields(fieldErrors(err));
      setBusy(false);
    }
  }

  const toggle = (s: Scope) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));

  return (
    <Dialog
      title={existing ? `Edit ${existing.name}` : 'New access key'}
      onClose={onCancel}
      onSubmit={() => void submit()}
      width="wide"
      footer={
        <>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {existing ? 'Save changes' : busy ? 'Creating…' : 'Create key'}
          </button>
        </>
      }
    >
      {error && <ErrorBanner>{error}</ErrorBanner>}
      <div className="form-grid">
        <Field label="Name" error={shown.name} hint="Shown in logs and the monitor">
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoComplete="off" />}
        </Field>
        <Field label="Rate limit" error={shown.rateLimit} hint="Requests per hour">
          {(p) => <input {...p} type="number" min={1} step={1} value={rate} onChange={(e) => setRate(e.target.value)} className="num" />}
        </Field>
        <Field label="Expires" hint={existing?.expiresAt ? `Currently ${new Date(existing.expiresAt).toLocaleDateString()}` : undefined}>
          {(p) => (
            <select {...p} value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
              {EXPIRY.filter((o) => existing || o.value !== 'keep').map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset className="scopes">
        <legend>Scopes</legend>
        {SCOPE_INFO.map((s) => (
          <label key={s.scope} className="scope">
            <input type="checkbox" checked={scopes.includes(s.scope)} onChange={() => toggle(s.scope)} />
            <span>
              <strong>{s.label}</strong>
              <span className="muted"> — {s.hint}</span>
            </span>
          </label>
        ))}
        <div className={shown.scopes ? 'field-error' : 'field-hint'}>{shown.scopes ?? '\u00a0'}</div>
      </fieldset>
      <fieldset className="metadata">
        <legend>Metadata</legend>
        {rows.length === 0 && <p className="muted small">Optional labels, e.g. owner or project.</p>}
        {rows.map((r) => (
          <div key={r.id} className="meta-row">
            <input aria-label="Metadata key" placeholder="key" value={r.k} onChange={(e) => setRows(rows.map((x) => (x.id === r.id ? { ...x, k: e.target.value } : x)))} />
            <input aria-label="Metadata value" placeholder="value" value={r.v} onChange={(e) => setRows(rows.map((x) => (x.id === r.id ? { ...x, v: e.target.value } : x)))} />
            <button type="button" className="icon-button" aria-label={`Remove metadata ${r.k || 'row'}`} onClick={() => setRows(rows.filter((x) => x.id !== r.id))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" className="button button-small" onClick={() => setRows([...rows, { id: Date.now() + rows.length, k: '', v: '' }])}>
          Add metadata
        </button>
        <div className={shown.metadata ? 'field-error' : 'field-hint'}>{shown.metadata ?? '\u00a0'}</div>
      </fieldset>
    </Dialog>
  );
}
