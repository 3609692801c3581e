// The admin key (the seed's single --api-key) as a KeyAuthenticator, and authenticator chaining.
import { hash, timingSafeEqual } from 'node:crypto';
import { hasKeyShape } from '../keys/keyFormat';
import { DEFAULT_SHARE, OWNER_CLOUD, type AuthOutcome, type KeyAuthenticator, type Principal } from '../common/principal';

function digest(value: string): Buffer {
  // The one-shot crypto.hash: cheaper than createHash() on every request.
  return hash('sha256', value, 'buffer');
}

/**
 * Compares SHA-256 digests with timingSafeEqual: equal-length inputs whatever the presented
 * secret's length, so neither content nor length leaks through timing. Only the digest is kept.
 */
export function adminKeyAuthenticator(adminKey: string): KeyAuthenticator {
  if (adminKey.length < 16) throw new Error('the admin key must be at least 16 characters');
  const expected = digest(adminKey);
  // A secret shaped like an access key cannot be this admin key (unless it has that shape itself): it is
  // refused without a hash, leaving the one SHA-256 of an access-key request to the key store.
  const refuseKeyShaped = !hasKeyShape(adminKey);
  return {
    authenticate(secret, via): AuthOutcome {
      if ((refuseKeyShaped && hasKeyShape(secret)) || !timingSafeEqual(digest(secret), expected)) {
        return { ok: false, reason: 'unknown', message: 'Invalid API key.' };
      }
      const principal: Principal = {
        kind: 'admin',
        keyId: null,
        keyName: 'admin',
        scopes: ['admin'],
        quotas: null,
        comfyUser: null,
        cloud: OWNER_CLOUD,
        share: DEFAULT_SHARE,
        via,
      };
      return { ok: true, principal };
    },
  };
}

/**
 * Tries each authenticator in turn; the first success wins. A specific refusal (revoked, expired,
 * malformed) is kept over a plain "unknown" so the client learns why.
 */
export function chainAuthenticators(...chain: KeyAuthenticator[]): KeyAuthenticator {
  return {
    authenticate(secret, via, nowMs): AuthOutcome {
      let best: AuthOutcome = { ok: false, reason: 'unknown', message: 'Invalid API key.' };
      for (const a of chain) {
        const out = a.authenticate(secret, via, nowMs);
        if (out.ok) return out;
        if (best.ok === false && best.reason === 'unknown' && out.reason !== 'unknown') best = out;
      }
      return best;
    },
  };
}
