// What changed between two versions of the key store, as the events its listeners get (revocation closes
// sockets, the app refreshes its list, the audit log records CLI changes).
import type { StoredKey } from './keyRecord';

export type KeyChangeType = 'created' | 'updated' | 'disabled' | 'revoked' | 'rotated' | 'reloaded';
/** `keyId` is null only for 'reloaded' (the file was re-read after another process changed it). */
export interface KeyChange {
  type: KeyChangeType;
  keyId: string | null;
}

export function diff(before: Map<string, StoredKey>, after: Map<string, StoredKey>): KeyChange[] {
  const changes: KeyChange[] = [];
  for (const [id, key] of after) {
    const old = before.get(id);
    if (!old) changes.push({ type: 'created', keyId: id });
    else if (old.revoked_at === null && key.revoked_at !== null) changes.push({ type: 'revoked', keyId: id });
    else if (old.is_active && !key.is_active) changes.push({ type: 'disabled', keyId: id });
    else if (old.hash !== key.hash) changes.push({ type: 'rotated', keyId: id });
    else if (JSON.stringify(old) !== JSON.stringify(key)) changes.push({ type: 'updated', keyId: id });
  }
  // Keys are never deleted by this code; a key missing after a reload was removed by hand.
  for (const id of before.keys()) if (!after.has(id)) changes.push({ type: 'revoked', keyId: id });
  return changes;
}
