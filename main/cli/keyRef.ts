// Which access key a `keys revoke` / `keys rotate` argument names: its id, or else its name when exactly one
// key that is not revoked carries it ("keys revoke bob"). Several → an error listing them by id, never a guess.
import { CompanionError } from '../common/errors';
import type { KeyRecord } from '../keys/keyRecord';
import { statusOf } from './keysCliFlags';

export function resolveKeyRef(keys: readonly KeyRecord[], ref: string, nowS: number): KeyRecord {
  const byId = keys.find((k) => k.key_id === ref);
  if (byId) return byId;
  const named = keys.filter((k) => k.name === ref && statusOf(k, nowS) !== 'revoked');
  if (named.length === 1) return named[0]!;
  if (named.length === 0) throw new CompanionError('not_found', `No access key has the id or name "${ref}"`);
  const which = named.map((k) => `${k.key_id} (${statusOf(k, nowS)})`).join(', ');
  throw new CompanionError('conflict', `${named.length} access keys are named "${ref}": ${which}. Give the id of the one you mean`);
}
