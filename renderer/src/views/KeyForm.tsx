// Create or edit an access key: name, one access level, the three limits and the key's share of the GPU with
// plain-language help, whether it may spend the owner's Comfy credits, expiry, and (under "More options") the ComfyUI user folder and labels. Create/Save stays off while
// a field is invalid; each message names the field.
import { useState } from 'react';
import type { KeyFields, KeyView } from '../../../preload/contract';
import { Dialog } from '../components/Dialog';
import { ErrorBanner, Field, Segmented } from '../components/ui';
import { errorMessage, fieldErrors } from '../ipc';
import { ACCESS_LEVELS, accessLevel, type AccessLevel } from '../keyWords';
import { validateKeyForm, type KeyDraft } from './keyFormRules';
import { MetadataRows, type MetaRow } from './MetadataRows';
import { cloudCapError, cloudDraftOf, cloudRequest, CloudPermissionFields, type CloudDraft } from './CloudPermissionFields';

const DAY = 86_400_000;
const EXPIRY = [
  { value: 'keep', label: 'Keep current' },
  { value: 'never', label: 'Never' },
  { value: '1', label: 'In 1 day' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In 1 year' },
] as const;
type Expiry = (typeof EXPIRY)[number]['value'];

interface KeyFormProps {
  /** Editing this key. */
  existing?: KeyView;
  /** Creating a new key with this one's access and limits. */
  template?: KeyView;
  onCancel: () => void;
  onSubmit: (req: KeyFields) => Promise<void>;
}

export function KeyFormDialog({ existing, template, onCancel, onSubmit }: KeyFormProps) {
  const base = existing ?? template;
  const [draft, setDraft] = useState<KeyDraft>({
    name: existing?.name ?? (template ? `${template.name} (new)` : ''),
    rateLimit: String(base?.rateLimit ?? 100),
    maxQueued: String(base?.maxQueued ?? 100),
    requestsPerMinute: String(base?.requestsPerMinute ?? 600),
    share: String(base?.share ?? 1),
    comfyUser: base?.comfyUser ?? '',
    gpuSecondsPerDay: base?.gpuSecondsPerDay ? String(base.gpuSecondsPerDay) : '',
  });
  const [cloud, setCloud] = useState<CloudDraft>(() => cloudDraftOf(base));
  const [level, setLevel] = useState<AccessLevel>(base ? accessLevel(base.scopes) : 'generate');
  const [expiry, setExpiry] = useState<Expiry>(existing ? 'keep' : 'never');
  const [rows, setRows] = useState<MetaRow[]>(() => Object.entries(base?.metadata ?? {}).map(([k, v], i) => ({ id: i, k, v })));
  const [more, setMore] = useState(Boolean(base?.comfyUser) || Object.keys(base?.metadata ?? {}).length > 0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [server, setServer] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});

  const local = validateKeyForm(draft, rows);
  const capError = cloudCapError(cloud);
  if (capError) local.cloudJobsPerDay = capError;
  const invalid = Object.keys(local).length > 0;
  // Limits start valid, so their messages show as soon as they are wrong; an empty name only once
  // the user has typed in it or tried to submit. The server's messages always show.
  const shown: Record<string, string | undefined> = { ...server };
  for (const [f, m] of Object.entries(local)) if (f !== 'name' || touched.name) shown[f] ??= m;
  const set = (field: keyof KeyDraft) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setDraft({ ...draft, [field]: e.target.value });
    setTouched({ ...touched, [field]: true });
    setServer({});
  };

  async function submit() {
    setTouched({ name: true });
    if (invalid) return;
    setBusy(true);
    setError(null);
    try {
      const metadata: Record<string, string> = {};
      for (const r of rows) if (r.k.trim() !== '') metadata[r.k.trim()] = r.v;
      const req: KeyFields = {
        name: draft.name.trim(),
        scopes: [level],
        rateLimit: Number(draft.rateLimit),
        maxQueued: Number(draft.maxQueued),
        requestsPerMinute: Number(draft.requestsPerMinute),
        gpuSecondsPerDay: draft.gpuSecondsPerDay.trim() === '' ? null : Number(draft.gpuSecondsPerDay),
        share: Number(draft.share),
        comfyUser: draft.comfyUser.trim() === '' ? null : draft.comfyUser.trim(),
        ...cloudRequest(cloud),
        metadata,
      };
      if (expiry === 'never') req.expiresAt = null;
      else if (expiry !== 'keep') req.expiresAt = Date.now() + Number(expiry) * DAY;
      await onSubmit(req);
    } catch (err) {
      setError(errorMessage(err));
      setServer(fieldErrors(err));
      setBusy(false);
    }
  }

  const levelInfo = ACCESS_LEVELS.find((l) => l.value === level);
  return (
    <Dialog
      title={existing ? `Edit ${existing.name}` : 'New access key'}
      onClose={onCancel}
      onSubmit={() => void submit()}
      width="wide"
      footer={
        <>
          <span className="muted small grow">{invalid && Object.keys(touched).length > 0 ? 'Fix the marked fields to continue.' : ''}</span>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || invalid}>
            {existing ? (busy ? 'Saving…' : 'Save changes') : busy ? 'Creating…' : 'Create key'}
          </button>
        </>
      }
    >
      {error && <ErrorBanner>{error}</ErrorBanner>}
      <Field label="Name" error={shown.name} hint="Who or what uses it, e.g. “Ada’s laptop” or “nightly renders”. Shown in the monitor.">
        {(p) => <input {...p} value={draft.name} onChange={set('name')} maxLength={100} autoComplete="off" />}
      </Field>
      <div className="field">
        <span className="label" id="access-label">
          Access
        </span>
        <Segmented label="Access" value={level} options={ACCESS_LEVELS.map((l) => ({ value: l.value, label: l.label }))} onChange={setLevel} />
        <div className={shown.scopes ? 'field-error' : 'field-hint'}>{shown.scopes ?? levelInfo?.hint}</div>
      </div>
      <fieldset className="limits">
        <legend>Limits</legend>
        <div className="form-grid-3">
          <Field label="Jobs per hour" error={shown.rateLimit} hint="Jobs it may queue in any hour.">
            {(p) => <input {...p} className="num" inputMode="numeric" value={draft.rateLimit} onChange={set('rateLimit')} />}
          </Field>
          <Field label="Jobs in the queue at once" error={shown.maxQueued} hint="Waiting or running at the same time.">
            {(p) => <input {...p} className="num" inputMode="numeric" value={draft.maxQueued} onChange={set('maxQueued')} />}
          </Field>
          <Field label="Requests per minute" error={shown.requestsPerMinute} hint="API calls; the web page’s own files do not count.">
            {(p) => <input {...p} className="num" inputMode="numeric" value={draft.requestsPerMinute} onChange={set('requestsPerMinute')} />}
          </Field>
          <Field label="GPU seconds per day" error={shown.gpuSecondsPerDay} hint="Run time of its jobs per UTC day; then new jobs wait for the next day. Empty = no budget.">
            {(p) => <input {...p} className="num" inputMode="numeric" placeholder="no budget" value={draft.gpuSecondsPerDay} onChange={set('gpuSecondsPerDay')} />}
          </Field>
          <Field label="Share of the GPU" error={shown.share} hint="When keys wait together, 2 gets about twice the GPU time of 1.">
            {(p) => <input {...p} className="num" inputMode="decimal" value={draft.share} onChange={set('share')} />}
          </Field>
        </div>
      </fieldset>
      <CloudPermissionFields
        draft={cloud}
        onChange={(d) => {
          setCloud(d);
          setServer({});
        }}
        error={shown.cloudJobsPerDay}
      />
      <div className="form-grid-3">
        <Field label="Expires" hint={existing?.expiresAt ? `Now: ${new Date(existing.expiresAt).toLocaleDateString()}` : 'After this, the key is refused.'}>
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
      <button type="button" className="disclosure" aria-expanded={more} onClick={() => setMore(!more)}>
        <span aria-hidden="true">{more ? '▾' : '▸'}</span> More options
      </button>
      {more && (
        <div className="more-options">
          <Field label="ComfyUI user folder" error={shown.comfyUser} hint="Only with ComfyUI’s --multi-user: the id of an existing ComfyUI user (e.g. ada_1b2c…); this key’s workflows and settings live in that user’s folder. Empty = ComfyUI’s default.">
            {(p) => <input {...p} value={draft.comfyUser} onChange={set('comfyUser')} placeholder="e.g. ada" autoComplete="off" spellCheck={false} />}
          </Field>
          <MetadataRows rows={rows} onChange={setRows} error={shown.metadata} />
        </div>
      )}
    </Dialog>
  );
}
