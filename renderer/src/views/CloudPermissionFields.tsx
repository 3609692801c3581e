// The key form's "Comfy account" part (SPEC §8.8): whether this key's jobs may spend the owner's Comfy
// credits (paid API nodes), in plain words, and an optional daily cap on such jobs.
import { Field, Switch } from '../components/ui';

export interface CloudDraft {
  cloud: boolean;
  /** '' = no daily cap. */
  cloudJobsPerDay: string;
}

export function cloudDraftOf(base?: { cloud: boolean; cloudJobsPerDay: number | null }): CloudDraft {
  return { cloud: base?.cloud ?? false, cloudJobsPerDay: base?.cloudJobsPerDay ? String(base.cloudJobsPerDay) : '' };
}

/** The message for an invalid cap, or null. Same bounds and words as main's IPC validation. */
export function cloudCapError(d: CloudDraft): string | null {
  const v = d.cloudJobsPerDay.trim();
  if (!d.cloud || v === '') return null;
  if (!/^\d+$/.test(v)) return 'Paid API jobs per day must be a whole number.';
  const n = Number(v);
  if (n < 1) return 'Paid API jobs per day must be at least 1 (or leave it empty for no cap).';
  if (n > 1_000_000) return 'Paid API jobs per day can be at most 1,000,000.';
  return null;
}

export function cloudRequest(d: CloudDraft): { cloud: boolean; cloudJobsPerDay: number | null } {
  const v = d.cloudJobsPerDay.trim();
  return { cloud: d.cloud, cloudJobsPerDay: d.cloud && v !== '' ? Number(v) : null };
}

export function CloudPermissionFields({ draft, onChange, error }: { draft: CloudDraft; onChange: (d: CloudDraft) => void; error?: string }) {
  return (
    <fieldset className="limits cloud-permission">
      <legend>Comfy account</legend>
      <Switch
        label="May spend your Comfy credits"
        checked={draft.cloud}
        onChange={(v) => onChange({ ...draft, cloud: v })}
        hint={
          draft.cloud
            ? 'Workflows with paid API nodes (image and video models on comfy.org) run on your Comfy account and use your credits.'
            : 'Off: workflows with paid API nodes are refused for this key, unless the person signs in to their own Comfy account in ComfyUI.'
        }
      />
      {draft.cloud && (
        <div className="form-grid-3">
          <Field label="Paid API jobs per day" error={error} hint="Empty = no daily cap. Counted per UTC day.">
            {(p) => <input {...p} className="num" inputMode="numeric" placeholder="no cap" value={draft.cloudJobsPerDay} onChange={(e) => onChange({ ...draft, cloudJobsPerDay: e.target.value })} />}
          </Field>
        </div>
      )}
    </fieldset>
  );
}
