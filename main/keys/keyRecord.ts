// Shapes of an access key: the public record (what the API and CLI show) and the on-disk entry in
// keys.json (definitions only, hashes never secrets), with the schema that validates the file.
import { z } from 'zod';
import { SCOPES, type Scope } from '../proxy/types';

export const DEFAULT_RATE_LIMIT = 100;
export const DEFAULT_SCOPES: readonly Scope[] = ['generate'];

/** A key as the API and the CLI show it. Never contains the secret or its hash. */
export interface KeyRecord {
  key_id: string;
  name: string;
  /** Epoch seconds (float). */
  created_at: number;
  /** Epoch seconds (float), or null if never used. Comes from the usage data, not keys.json. */
  last_used: number | null;
  /** Requests per hour. */
  rate_limit: number;
  is_active: boolean;
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
  is_active: z.boolean(),
  metadata: z.record(z.string(), z.unknown()),
  expires_at: z.number().nullable(),
  scopes: z.array(scopeSchema),
  /** base64url SHA-256 of the current secret. */
  hash: hashSchema,
  /** The secret replaced by a rotation, still accepted until `until_ms` (grace period). */
  previous: z.object({ hash: hashSchema, until_ms: z.number() }).nullable(),
});
export type StoredKey = z.infer<typeof storedKeySchema>;

export const keyFileSchema = z.object({
  version: z.literal(1),
  keys: z.array(storedKeySchema),
});
export type KeyFile = z.infer<typeof keyFileSchema>;

export function toRecord(stored: StoredKey, lastUsed: number | null): KeyRecord {
  return {
    key_id: stored.key_id,
    name: stored.name,
    created_at: stored.created_at,
    last_used: lastUsed,
    rate_limit: stored.rate_limit,
    is_active: stored.is_active,
    metadata: structuredClone(stored.metadata),
    expires_at: stored.expires_at,
    scopes: [...stored.scopes],
  };
}
