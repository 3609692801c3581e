// How key-store rules read on the command line: flag values checked before the store sees them,
// and the store's field errors (written for HTTP clients) retold with the flag the user typed,
// never in the validation library's own wording.
import { UsageError } from './usageError';
import { SCOPES, type Scope } from '../common/principal';
import type { KeyRecord } from '../keys/keyRecord';
import { SHARE_MAX, SHARE_MIN } from '../keys/keyInput';

/** Options every `keys` command takes. */
export const COMMON_OPTIONS = { 'data-dir': { type: 'string' }, help: { type: 'boolean' } } as const;

const FLAGS: Record<string, { flag: string; rule: string }> = {
  name: { flag: '--name', rule: 'takes 1 to 100 characters, without control characters' },
  rate_limit: { flag: '--rate-limit', rule: 'takes a whole number per hour, at least 1' },
  requests_per_minute: { flag: '--requests-per-minute', rule: 'takes a whole number, at least 1' },
  max_queued: { flag: '--max-queued', rule: 'takes a whole number, at least 1' },
  comfy_user: { flag: '--comfy-user', rule: 'takes a ComfyUI user name' },
  cloud_jobs_per_day: { flag: '--cloud-jobs-per-day', rule: 'takes a whole number per day, at least 1, or none' },
  gpu_seconds_per_day: { flag: '--gpu-seconds-per-day', rule: 'takes a whole number of seconds per day, at least 1, or none' },
  share: { flag: '--share', rule: `takes a number from ${SHARE_MIN} to ${SHARE_MAX}, such as 1 or 2` },
  expires_at: { flag: '--expires-in', rule: 'takes a duration such as 30d, 12h, 90m or 45s' },
  scopes: { flag: '--scope', rule: `takes ${SCOPES.join(', ')} (repeat it for more than one)` },
  grace_seconds: { flag: '--grace', rule: 'takes a duration such as 10m, up to 7 days' },
};

/** `Invalid field "scopes.0": <anything>` -> `--scope takes read, generate, admin …`. */
export function storeErrorAsFlag(message: string): string {
  const m = /^Invalid field "([a-z_]+)(?:\.\d+)?": (.*)$/s.exec(message);
  const missing = /^Missing required field "([a-z_]+)"/.exec(message);
  const field = m?.[1] ?? missing?.[1];
  const known = field ? FLAGS[field] : undefined;
  if (!known) return message.startsWith('Unknown field') ? 'An option was not recognised' : message;
  // Our schemas word their own rules as "must …"; anything else is the library's default text.
  const detail = m?.[2];
  return detail && /^must /.test(detail) ? `${known.flag} ${detail}` : `${known.flag} ${known.rule}`;
}

export function wholeNumber(text: string, flag: string, max: number, topic: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`${flag} takes a whole number from 1 to ${max} (got "${text}")`, topic);
  }
  return Number(text);
}

/** `--share`: a key's weight in the GPU queue (SPEC §12), a number such as 1, 2 or 0.5 (two decimals at most). */
export function shareNumber(text: string, topic: string): number {
  const n = Number(text);
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text) || n < SHARE_MIN || n > SHARE_MAX) {
    throw new UsageError(`--share takes a number from ${SHARE_MIN} to ${SHARE_MAX} with at most two decimals, such as 1, 2 or 0.5 (got "${text}")`, topic);
  }
  return n;
}

/** How `keys list` and the messages show a share: "1", "2", "0.5". */
export function shareText(share: number): string {
  return String(Number(share.toFixed(2)));
}

export function checkScopes(values: string[], topic: string): Scope[] {
  const bad = values.find((v) => !(SCOPES as readonly string[]).includes(v));
  if (bad !== undefined) throw new UsageError(`--scope "${bad}" is not a scope: use ${SCOPES.join(', ')}`, topic);
  return values as Scope[];
}

/** One vocabulary with the app: active, disabled, revoked, expired. */
export function statusOf(k: KeyRecord, nowS: number): string {
  const explicit = (k as KeyRecord & { status?: string }).status;
  if (typeof explicit === 'string') return explicit;
  if (!k.is_active) return 'revoked';
  return k.expires_at !== null && k.expires_at <= nowS ? 'expired' : 'active';
}
