// Shapes of an access key: the public record (what the API and CLI show) and the on-disk entry in
// keys.json (definitions only, hashes never secrets), with the schema that validates the file.
import { z } from 'zod';
import { DEFAULT_SHARE, SCOPES, type Scope } from '../common/principal';

/** Jobs per hour (SPEC §2.4: the seed's field and number, now counting jobs). */
export const DEFAULT_RATE_LIMIT = 100;
/** Comfy Cloud's published limit. */
export const DEFAULT_REQUESTS_PER_MINUTE = 600;
/** A flood guard that still lets a person queue a long batch. */
export const DEFAULT_MAX_QUEUED = 100;
export const DEFAULT_SCOPES: readonly Scope[] = ['generate'];

export type KeyStatus = 'active' | 'disabled' | 'revoked' | 'expired';

/** A key as the API and the CLI show it. Never contains the secret or its hash. */
export interface KeyRecord {
  key_id: string;
  name: string;
  /** Epoch seconds (float). */
  created_at: number;
  /** Epoch seconds (float), or null if never used. Comes from the usage data, not keys.json. */
  last_used: number | null;
  /** Jobs per hour. */
  rate_limit: number;
  /** Authenticated API requests per minute. */
  requests_per_minute: number;
  /** Jobs pending or running at once. */
  max_queued: number;
  /** ComfyUI --multi-user folder sent as `comfy-user`, or null. */
  comfy_user: string | null;
  /** May spend the owner's Comfy account: the app's cloud key is added to this key's jobs (SPEC §8.8). */
  cloud: boolean;
  /** At most this many jobs with paid API nodes per UTC day on the owner's account, or null for no cap. */
  cloud_jobs_per_day: number | null;
  /** GPU seconds per UTC day (ComfyUI's run time of the key's jobs); once spent, new jobs wait for the next day. */
  gpu_seconds_per_day: number | null;
  /** Weight in the shared GPU queue (SPEC §12, default 1): while several keys wait, GPU time goes in proportion. */
  share: number;
  /** False when disabled or revoked. */
  is_active: boolean;
  /** Epoch seconds when revoked (final), or null. */
  revoked_at: number | null;
  /** Derived: revoked beats expired beats disabled. */
  status: KeyStatus;
  /** The secret's first characters ("comfy_Ab3x"), to tell keys apart in lists; null for older keys. */
  prefix: string | null;
  metadata: Record<string, unknown>;
  /** Epoch seconds, or null for no expiry. */
  expires_at: number | null;
  scopes: Scope[];
}

const scopeSchema = z.enum(SCOPES as [Scope, ...Scope[]]);
const hashSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url SHA-256');

/** One entry of keys.json. */
export const storedKeySchema = z.object({
  key_id: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  name: z.string(),
  created_at: z.number(),
  rate_limit: z.number().int().positive(),
  requests_per_minute: z.number().int().positive(),
  max_queued: z.number().int().positive(),
  comfy_user: z.string().nullable(),
  // Keys from before SPEC §8.8 (files of version 2) do not spend the owner's Comfy account until allowed.
  cloud: z.boolean().default(false),
  cloud_jobs_per_day: z.number().int().positive().nullable().default(null),
  gpu_seconds_per_day: z.number().positive().nullable().default(null),
  // Keys from before SPEC §12 all weigh the same.
  share: z.number().positive().default(DEFAULT_SHARE),
  is_active: z.boolean(),
  revoked_at: z.number().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  expires_at: z.number().nullable(),
  scopes: z.array(scopeSchema),
  /** The current secret's first 10 characters (24 random bits of 256): shown in lists, never enough to guess it. */
  prefix: z.string().max(16).optional(),
  /** base64url SHA-256 of the current secret. */
  hash: hashSchema,
  /** The secret replaced by a rotation, still accepted until `until_ms` (grace period). */
  previous: z.object({ hash: hashSchema, until_ms: z.number() }).nullable(),
});
export type StoredKey = z.infer<typeof storedKeySchema>;

export const KEY_FILE_VERSION = 2;
export const keyFileSchema = z.object({
  version: z.literal(KEY_FILE_VERSION),
  keys: z.array(storedKeySchema),
});
export type KeyFile = z.infer<typeof keyFileSchema>;

/**
 * Version 1 files (before quotas) gain the new fields with their defaults. Their `rate_limit` number is
 * kept and now counts jobs per hour (SPEC §8.2); an inactive v1 key stays disabled, not revoked, so an
 * admin can still re-enable it.
 */
export function migrateKeyFile(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || (json as { version?: unknown }).version !== 1) return json;
  const v1 = json as { keys?: unknown };
  if (!Array.isArray(v1.keys)) return json;
  return {
    version: KEY_FILE_VERSION,
    keys: v1.keys.map((k: unknown) =>
      typeof k === 'object' && k !== null
        ? { requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE, max_queued: DEFAULT_MAX_QUEUED, comfy_user: null, revoked_at: null, ...k }
        : k,
    ),
  };
}

/** What a list may show of a secret: the `comfy_` marker and four characters. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, 10);
}

export function keyStatus(stored: Pick<StoredKey, 'is_active' | 'revoked_at' | 'expires_at'>, nowMs: number): KeyStatus {
  if (stored.revoked_at !== null) return 'revoked';
  if (stored.expires_at !== null && nowMs >= stored.expires_at * 1000) return 'expired';
  return stored.is_active ? 'active' : 'disabled';
}

export function toRecord(stored: StoredKey, lastUsed: number | null, nowMs: number = Date.now()): KeyRecord {
  return {
    key_id: stored.key_id,
    name: stored.name,
    created_at: stored.created_at,
    last_used: lastUsed,
    rate_limit: stored.rate_limit,
    requests_per_minute: stored.requests_per_minute,
    max_queued: stored.max_queued,
    comfy_user: stored.comfy_user,
    cloud: stored.cloud,
    cloud_jobs_per_day: stored.cloud_jobs_per_day,
    gpu_seconds_per_day: stored.gpu_seconds_per_day,
    share: stored.share,
    is_active: stored.is_active,
    revoked_at: stored.revoked_at,
    status: keyStatus(stored, nowMs),
    prefix: stored.prefix ?? null,
    metadata: structuredClone(stored.metadata),
    expires_at: stored.expires_at,
    scopes: [...stored.scopes],
  };
}
