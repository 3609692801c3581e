// What a session acts as: the admin key, or an access key looked up by id in the key store on every
// request (so its current scopes, rate limit, active flag and expiry apply to the session).
import { createHash } from 'node:crypto';
import { principalForKey } from '../../keys/keyPrincipal';
import type { KeyRecord } from '../../keys/keyRecord';
import type { PrincipalResolver } from './sessionStore';
import { DEFAULT_SHARE, OWNER_CLOUD } from '../../common/principal';

/**
 * A short, one-way tag of the admin key. Stored with admin sessions so that a remembered admin login
 * stops working once the admin key changes; domain-separated and truncated, so it is useless as a key hash.
 */
export function adminSessionTag(adminKey: string): string {
  return createHash('sha256').update(`cac-admin-session\0${adminKey}`, 'utf8').digest('base64url').slice(0, 22);
}

export function keyRecordResolver(keys: { get(keyId: string): KeyRecord | null }): PrincipalResolver {
  return (keyId, nowMs) => {
    if (keyId === null) {
      return {
        ok: true,
        principal: { kind: 'admin', keyId: null, keyName: 'admin', scopes: ['admin'], quotas: null, comfyUser: null, cloud: OWNER_CLOUD, share: DEFAULT_SHARE, via: 'session' },
      };
    }
    const key = keys.get(keyId);
    if (!key) return { ok: false, reason: 'revoked', message: 'The key this login used has been revoked; log in with another key.' };
    return principalForKey(key, 'session', nowMs, 'The key this login used', '; log in with another key.');
  };
}
