// The key form's checks, with the same bounds and words as main's IPC validation, so Create stays off
// while something would be refused (main validates again).
import type { MetaRow } from './MetadataRows';

export interface KeyDraft {
  name: string;
  rateLimit: string;
  maxQueued: string;
  requestsPerMinute: string;
  /** The key's share of the GPU (SPEC §12). */
  share: string;
  comfyUser: string;
  /** '' = no GPU budget. */
  gpuSecondsPerDay: string;
}

/** Same bounds and words as main's IPC validation (companionApiSchemas.ts). */
function shareError(value: string): string | null {
  const v = value.trim();
  if (v === '') return 'Enter the GPU share (1 is an equal turn).';
  if (!/^\d+(\.\d+)?$/.test(v)) return 'The GPU share must be a number.';
  const n = Number(v);
  if (n < 0.1) return 'The GPU share must be at least 0.1.';
  if (n > 100) return 'The GPU share can be at most 100.';
  if (!/^\d+(\.\d{1,2})?$/.test(v)) return 'The GPU share can have at most two decimals.';
  return null;
}

function whole(label: string, value: string, min: number, max: number): string | null {
  const v = value.trim();
  if (v === '') return `Enter ${label.toLowerCase()}.`;
  if (!/^\d+$/.test(v)) return `${label} must be a whole number.`;
  const n = Number(v);
  if (n < min) return `${label} must be at least ${min}.`;
  if (n > max) return `${label} can be at most ${max.toLocaleString('en-US')}.`;
  return null;
}

export function validateKeyForm(d: KeyDraft, rows: readonly MetaRow[]): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (field: string, msg: string | null) => msg && (out[field] = msg);
  if (d.name.trim() === '') out.name = 'Give the key a name.';
  else if (d.name.trim().length > 100) out.name = 'The name can be at most 100 characters.';
  put('rateLimit', whole('Jobs per hour', d.rateLimit, 1, 1_000_000));
  put('maxQueued', whole('Jobs in the queue at once', d.maxQueued, 1, 10_000));
  put('requestsPerMinute', whole('Requests per minute', d.requestsPerMinute, 1, 1_000_000));
  if (d.gpuSecondsPerDay.trim() !== '') put('gpuSecondsPerDay', whole('GPU seconds per day', d.gpuSecondsPerDay, 1, 86_400 * 64));
  put('share', shareError(d.share));
  const user = d.comfyUser.trim();
  if (user !== '' && (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(user) || user.includes('..'))) {
    out.comfyUser = 'The ComfyUI user folder must be 1–128 letters, digits, "_", "." or "-", starting with a letter or digit.';
  }
  const names = rows.map((r) => r.k.trim()).filter(Boolean);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) out.metadata = `The label “${dup}” appears twice.`;
  return out;
}
