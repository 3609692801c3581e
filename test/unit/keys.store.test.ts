import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CompanionError } from '../../main/common/errors';
import { KeyStore, KeyStoreCorruptError, type KeyChange } from '../../main/keys/keyStore';

const dirs: string[] = [];
const stores: KeyStore[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'keys-store-'));
  dirs.push(d);
  return d;
}
function open(dataDir: string, now: () => number = Date.now): KeyStore {
  const s = new KeyStore({ dataDir, now });
  stores.push(s);
  return s;
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_800_000_000_000;

describe('key store', () => {
  it('a created key authenticates with its name, scopes and rate limit; defaults match the seed', async () => {
    const store = open(tempDir(), () => T0);
    const { record, secret } = await store.create({ name: 'My API Key' });
    expect(record).toMatchObject({
      name: 'My API Key', rate_limit: 100, requests_per_minute: 600, max_queued: 100, comfy_user: null, is_active: true,
      revoked_at: null, status: 'active', last_used: null, scopes: ['generate'], expires_at: null, metadata: {},
    });
    expect(record.created_at).toBe(T0 / 1000);
    const out = store.authenticate(secret, 'bearer', T0);
    expect(out).toEqual({
      ok: true,
      principal: {
        kind: 'access_key', keyId: record.key_id, keyName: 'My API Key', scopes: ['generate'],
        quotas: { jobsPerHour: 100, requestsPerMinute: 600, maxQueued: 100, gpuSecondsPerDay: null }, comfyUser: null, cloud: { allowed: false, jobsPerDay: null }, share: 1, via: 'bearer',
      },
    });
  });

  it('malformed, unknown, revoked and expired keys are refused with distinct reasons and messages', async () => {
    let now = T0;
    const store = open(tempDir(), () => now);
    const { secret: revokedSecret, record: revoked } = await store.create({ name: 'r' });
    const { secret: expiringSecret } = await store.create({ name: 'e', expires_at: T0 / 1000 + 60 });
    await store.revoke(revoked.key_id);
    now = T0 + 61_000;
    const other = new KeyStore({ dataDir: tempDir() });
    stores.push(other);
    const { secret: unknownSecret } = await other.create({ name: 'elsewhere' });

    const malformed = store.authenticate('comfy_nope', 'x-api-key', now);
    const unknown = store.authenticate(unknownSecret, 'x-api-key', now);
    const rev = store.authenticate(revokedSecret, 'x-api-key', now);
    const exp = store.authenticate(expiringSecret, 'x-api-key', now);
    expect([malformed, unknown, rev, exp].map((o) => (o.ok ? 'ok' : o.reason))).toEqual(['malformed', 'unknown', 'revoked', 'expired']);
    expect(rev.ok === false && rev.message).toBe('This access key has been revoked');
    expect(exp.ok === false && exp.message).toBe(`This access key expired at ${new Date(T0 + 60_000).toISOString()}`);
    // Just before expiry the same key worked.
    expect(store.authenticate(expiringSecret, 'bearer', T0 + 59_000).ok).toBe(true);
  });

  it('the keys file holds hashes, never a secret', async () => {
    const dir = tempDir();
    const store = open(dir);
    const secrets = [];
    for (let i = 0; i < 3; i++) secrets.push((await store.create({ name: `k${i}` })).secret);
    secrets.push((await store.rotate(store.list()[0]!.key_id, { graceSeconds: 60 })).secret);
    const files = ['keys.json', 'keys.json.bak'].map((f) => readFileSync(join(dir, f), 'utf8'));
    for (const text of files) {
      expect(text).not.toMatch(/comfy_[A-Za-z0-9_-]{43}_/);
      for (const s of secrets) expect(text).not.toContain(s.slice(6, 40));
    }
  });

  it('list and get never expose the secret or its hash', async () => {
    const store = open(tempDir());
    const { record, secret } = await store.create({ name: 'x', metadata: { project: 'p' } });
    const shown = JSON.stringify([store.list(), store.get(record.key_id)]);
    expect(shown).not.toContain(secret);
    expect(shown).not.toMatch(/hash/);
    expect(Object.keys(store.get(record.key_id)!).sort()).toEqual(
      [
        'created_at', 'expires_at', 'is_active', 'key_id', 'last_used', 'metadata', 'name', 'rate_limit', 'scopes',
        'requests_per_minute', 'max_queued', 'comfy_user', 'cloud', 'cloud_jobs_per_day', 'gpu_seconds_per_day', 'share', 'revoked_at', 'status', 'prefix',
      ].sort(),
    );
    // Lists show the secret's first 10 characters ("comfy_" + 4), never more.
    expect(store.get(record.key_id)?.prefix).toBe(secret.slice(0, 10));
    const rotated = await store.rotate(record.key_id);
    expect(store.get(record.key_id)?.prefix).toBe(rotated.secret.slice(0, 10));
  });

  it('keys survive a restart', async () => {
    const dir = tempDir();
    const first = open(dir);
    const { record, secret } = await first.create({ name: 'persist', rate_limit: 7, scopes: ['read', 'admin'] });
    await first.close();
    const second = open(dir);
    expect(second.get(record.key_id)).toEqual(record);
    expect(second.authenticate(secret, 'query', Date.now()).ok).toBe(true);
  });

  it('rotation gives a new secret under the same id; the old one stops at once, or after the grace period', async () => {
    let now = T0;
    const store = open(tempDir(), () => now);
    const { record, secret: old } = await store.create({ name: 'rot' });
    const r1 = await store.rotate(record.key_id);
    expect(r1.record.key_id).toBe(record.key_id);
    expect(r1.secret).not.toBe(old);
    expect(store.authenticate(old, 'bearer', now).ok).toBe(false);
    expect(store.authenticate(r1.secret, 'bearer', now).ok).toBe(true);

    const r2 = await store.rotate(record.key_id, { graceSeconds: 60 });
    expect(r2.previousValidUntil).toBe(T0 / 1000 + 60);
    expect(store.authenticate(r1.secret, 'bearer', T0 + 59_000).ok).toBe(true);
    expect(store.authenticate(r1.secret, 'bearer', T0 + 60_000).ok).toBe(false);
    expect(store.authenticate(r2.secret, 'bearer', T0 + 60_000).ok).toBe(true);
  });

  it('changes are announced: created, updated, revoked, rotated', async () => {
    const store = open(tempDir());
    const seen: KeyChange[] = [];
    store.onChange((c) => seen.push(c));
    const { record } = await store.create({ name: 'a' });
    await store.update(record.key_id, { rate_limit: 5 });
    await store.rotate(record.key_id);
    await store.revoke(record.key_id);
    expect(seen).toEqual([
      { type: 'created', keyId: record.key_id },
      { type: 'updated', keyId: record.key_id },
      { type: 'rotated', keyId: record.key_id },
      { type: 'revoked', keyId: record.key_id },
    ]);
  });

  it('update changes only the given fields; bad input and unknown ids change nothing', async () => {
    const dir = tempDir();
    const store = open(dir, () => T0);
    const { record } = await store.create({ name: 'a' });
    const updated = await store.update(record.key_id, { name: 'b', scopes: ['read'] });
    expect(updated).toMatchObject({ name: 'b', scopes: ['read'], rate_limit: 100 });
    const before = readFileSync(join(dir, 'keys.json'), 'utf8');
    await expect(store.update(record.key_id, { rate_limit: 0 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(store.update(record.key_id, { expires_at: T0 / 1000 - 1 })).rejects.toThrow(/expires_at/);
    await expect(store.update('nope', { name: 'x' })).rejects.toBeInstanceOf(CompanionError);
    await expect(store.revoke('nope')).rejects.toMatchObject({ code: 'not_found' });
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).toBe(before);
  });

  it('disable/enable is reversible; revoke is final (cannot be enabled or rotated: 409)', async () => {
    const store = open(tempDir());
    const { record, secret } = await store.create({ name: 'a' });
    await store.update(record.key_id, { is_active: false });
    expect(store.get(record.key_id)?.status).toBe('disabled');
    const disabled = store.authenticate(secret, 'bearer', Date.now());
    expect(disabled.ok === false && disabled.message).toBe('This access key has been disabled');
    await store.update(record.key_id, { is_active: true });
    expect(store.authenticate(secret, 'bearer', Date.now()).ok).toBe(true);
    await store.revoke(record.key_id);
    expect(store.get(record.key_id)?.status).toBe('revoked');
    expect(store.authenticate(secret, 'bearer', Date.now()).ok).toBe(false);
    await expect(store.update(record.key_id, { is_active: true })).rejects.toMatchObject({ code: 'conflict', status: 409 });
    await expect(store.rotate(record.key_id)).rejects.toMatchObject({ code: 'conflict' });
    expect(store.authenticate(secret, 'bearer', Date.now()).ok).toBe(false);
  });

  it('a version 1 keys.json (before quotas) loads with default quotas and keeps its number as jobs per hour', async () => {
    const dir = tempDir();
    const store = open(dir);
    const { record, secret } = await store.create({ name: 'old', rate_limit: 42 });
    await store.update(record.key_id, { is_active: false });
    await store.close();
    const v2 = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')) as { keys: Record<string, unknown>[] };
    const v1 = { version: 1, keys: v2.keys.map(({ requests_per_minute: _r, max_queued: _m, comfy_user: _c, revoked_at: _v, ...k }) => k) };
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(v1));
    const reopened = open(dir);
    expect(reopened.get(record.key_id)).toMatchObject({ rate_limit: 42, requests_per_minute: 600, max_queued: 100, comfy_user: null, status: 'disabled' });
    await reopened.update(record.key_id, { is_active: true });
    expect(reopened.authenticate(secret, 'bearer', Date.now()).ok).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')).version).toBe(2);
  });

  it('a corrupt keys file is refused with an error naming it, never replaced, and a .bak of the last good version exists', async () => {
    const dir = tempDir();
    const store = open(dir);
    const { record } = await store.create({ name: 'good' });
    await store.create({ name: 'second' });
    await store.close();
    writeFileSync(join(dir, 'keys.json'), '{"version":1,"keys":[{"key_id":');
    let error: unknown;
    try {
      new KeyStore({ dataDir: dir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KeyStoreCorruptError);
    expect((error as Error).message).toContain(join(dir, 'keys.json'));
    expect((error as Error).message).toContain('keys.json.bak');
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).toBe('{"version":1,"keys":[{"key_id":');
    // The backup is a loadable store holding the key from before the last write.
    const bak = JSON.parse(readFileSync(join(dir, 'keys.json.bak'), 'utf8')) as { keys: { key_id: string }[] };
    expect(bak.keys.map((k) => k.key_id)).toContain(record.key_id);
  });

  it('a running store refuses to write over a file that became corrupt, and keeps serving the last good keys', async () => {
    const dir = tempDir();
    const errors: Error[] = [];
    const store = new KeyStore({ dataDir: dir, onError: (e) => errors.push(e) });
    stores.push(store);
    const { secret } = await store.create({ name: 'good' });
    writeFileSync(join(dir, 'keys.json'), 'garbage');
    expect(store.reload()).toBe(false);
    expect(errors[0]).toBeInstanceOf(KeyStoreCorruptError);
    expect(store.authenticate(secret, 'bearer', Date.now()).ok).toBe(true);
    await expect(store.create({ name: 'x' })).rejects.toBeInstanceOf(KeyStoreCorruptError);
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).toBe('garbage');
  });

  it('two stores on one dir do not lose each other\'s writes (read-modify-write under the lock)', async () => {
    const dir = tempDir();
    const a = open(dir);
    const b = open(dir);
    await Promise.all([...Array.from({ length: 5 }, (_, i) => a.create({ name: `a${i}` })), ...Array.from({ length: 5 }, (_, i) => b.create({ name: `b${i}` }))]);
    const third = open(dir);
    expect(third.list()).toHaveLength(10);
    expect(existsSync(join(dir, 'keys.json.lock'))).toBe(false);
  });
});
