// Bench auth module: a real KeyStore holding N keys (written straight to keys.json, hashes only) plus the
// real rate limiter, so the GET scenario measures the per-request cost of the key check and rate limit.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, generateKeyId, hashKey } from '../main/keys/keyFormat';
import type { KeyFile } from '../main/keys/keyRecord';
import { KeyStore, KEYS_FILE } from '../main/keys/keyStore';
import { KeyRateLimiter } from '../main/keys/rateLimiter';
import { adminKeyAuthenticator, chainAuthenticators } from '../main/auth/adminKey';

export default async function keyStoreAuth(arg: unknown) {
  const count = Number(arg);
  const dataDir = mkdtempSync(join(tmpdir(), 'cac-bench-keys-'));
  const now = Date.now() / 1000;
  let presentKey = '';
  const file: KeyFile = { version: 2, keys: [] };
  for (let i = 0; i < count; i++) {
    const secret = generateKey();
    // Present a key from the middle of the store, so nothing favours the first or last entry.
    if (i === Math.floor(count / 2)) presentKey = secret;
    file.keys.push({
      key_id: generateKeyId(),
      name: `bench key ${i}`,
      created_at: now,
      rate_limit: 1_000_000_000,
      requests_per_minute: 1_000_000_000,
      max_queued: 1_000_000,
      comfy_user: null,
      cloud: false,
      cloud_jobs_per_day: null,
      gpu_seconds_per_day: null,
      share: 1,
      is_active: true,
      revoked_at: null,
      metadata: {},
      expires_at: null,
      scopes: ['generate'],
      hash: hashKey(secret).toString('base64url'),
      previous: null,
    });
  }
  writeFileSync(join(dataDir, KEYS_FILE), JSON.stringify(file));
  const store = new KeyStore({ dataDir, watch: false });
  const rateLimiter = new KeyRateLimiter({ dataDir });
  // The admin key is chained first, as in the product, so an access key pays for both checks.
  const keys = chainAuthenticators(adminKeyAuthenticator('bench-admin-key-0123456789'), store);
  return { keys, presentKey, rateLimiter };
}
