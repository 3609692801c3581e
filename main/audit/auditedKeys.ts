// Key-store changes with an actor: wraps the store's mutations so each success is recorded in the
// audit log as who did what (created / edited / disabled / enabled / revoked / rotated). Used by the
// callers that know the actor — the HTTP API per request, the app's IPC, the CLI — so the store
// itself stays unaware of who calls it.
import type { KeyRecord } from '../keys/keyRecord';
import type { KeyStore } from '../keys/keyStore';
import type { AuditActor, AuditDetails, AuditSink } from './auditTypes';

export type KeyMutations = Pick<KeyStore, 'create' | 'update' | 'revoke' | 'rotate'>;
type KeyReader = Pick<KeyStore, 'get'>;

/** Fields an edit may report with their new value; everything else (metadata) is named only. */
const SHOWN_FIELDS = new Set(['name', 'rate_limit', 'requests_per_minute', 'max_queued', 'expires_at', 'scopes', 'comfy_user', 'cloud', 'cloud_jobs_per_day', 'gpu_seconds_per_day', 'share']);
/** Not part of an edit: derived or hot data, and the state changes that have their own events. */
const IGNORED_FIELDS = new Set(['last_used', 'is_active', 'status', 'revoked_at', 'created_at', 'key_id']);

export function auditedKeys(store: KeyMutations & KeyReader, audit: AuditSink, actor: AuditActor): KeyMutations {
  return {
    async create(input) {
      const result = await store.create(input);
      const r = result.record;
      audit.record(actor, 'key.created', r.key_id, { name: r.name, rate_limit: r.rate_limit, scopes: [...r.scopes], expires_at: r.expires_at });
      return result;
    },
    async update(keyId, patch) {
      const before = store.get(keyId);
      const after = await store.update(keyId, patch);
      if (before) recordEdit(audit, actor, before, after);
      return after;
    },
    async revoke(keyId) {
      const after = await store.revoke(keyId);
      audit.record(actor, 'key.revoked', keyId, { name: after.name });
      return after;
    },
    async rotate(keyId, options) {
      const result = await store.rotate(keyId, options);
      audit.record(actor, 'key.rotated', keyId, { name: result.record.name, previous_valid_until: result.previousValidUntil });
      return result;
    },
  };
}

/** The same store object, recording its own mutations as `actor` (the CLI opens a store per command). */
export function recordMutationsOf<T extends KeyMutations & KeyReader>(store: T, audit: AuditSink, actor: AuditActor): T {
  const original: KeyMutations & KeyReader = {
    create: store.create.bind(store),
    update: store.update.bind(store),
    revoke: store.revoke.bind(store),
    rotate: store.rotate.bind(store),
    get: store.get.bind(store),
  };
  return Object.assign(store, auditedKeys(original, audit, actor));
}

function recordEdit(audit: AuditSink, actor: AuditActor, before: KeyRecord, after: KeyRecord): void {
  const details: AuditDetails = { name: after.name };
  const fields: string[] = [];
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  for (const field of Object.keys(a)) {
    if (IGNORED_FIELDS.has(field) || JSON.stringify(b[field]) === JSON.stringify(a[field])) continue;
    fields.push(field);
    if (SHOWN_FIELDS.has(field)) details[field] = shown(a[field]);
  }
  if (fields.includes('name')) details.previous_name = before.name;
  if (fields.length > 0) audit.record(actor, 'key.edited', after.key_id, { ...details, fields });
  if (before.is_active !== after.is_active) audit.record(actor, after.is_active ? 'key.enabled' : 'key.disabled', after.key_id, { name: after.name });
}

function shown(value: unknown): AuditDetails[string] {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...(value as string[])];
  return JSON.stringify(value);
}
