// Browser login sessions: opaque fresh ids, cookie flags, the key re-resolved on every request,
// revocation, expiry on an injected clock, and "remember me" surviving a restart (hashes only on disk).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyRecordResolver } from '../../main/auth/sessions/sessionPrincipals';
import { BROWSER_SESSION_MS, REMEMBER_MS, SessionStore, hashSessionId } from '../../main/auth/sessions/sessionStore';
import type { KeyRecord } from '../../main/keys/keyRecord';
import type { Principal } from '../../main/common/principal';

let dir: string;
let now: number;
let keys: Map<string, KeyRecord>;

function record(id: string, patch: Partial<KeyRecord> = {}): KeyRecord {
  return { key_id: id, name: `key ${id}`, created_at: 0, last_used: null, rate_limit: 100, requests_per_minute: 600, max_queued: 100, comfy_user: null, cloud: false, cloud_jobs_per_day: null, gpu_seconds_per_day: null, share: 1, is_active: true, revoked_at: null, status: 'active', prefix: null, metadata: {}, expires_at: null, scopes: ['generate'], ...patch };
}

function principalOf(keyId: string | null): Principal {
  return keyId === null
    ? { kind: 'admin', keyId: null, keyName: 'admin', scopes: ['admin'], quotas: null, comfyUser: null, cloud: { allowed: false, jobsPerDay: null }, share: 1, via: 'bearer' }
    : { kind: 'access_key', keyId, keyName: `key ${keyId}`, scopes: ['generate'], quotas: { jobsPerHour: 100, requestsPerMinute: 600, maxQueued: 100, gpuSecondsPerDay: null }, comfyUser: null, cloud: { allowed: false, jobsPerDay: null }, share: 1, via: 'bearer' };
}

function open(options: { adminTag?: string; onError?: (err: Error) => void } = {}): SessionStore {
  return new SessionStore({
    dataDir: dir,
    resolve: keyRecordResolver({ get: (id) => keys.get(id) ?? null }),
    adminTag: options.adminTag ?? 'admin-tag-1',
    now: () => now,
    onError: options.onError,
  });
}

const cookieValue = (setCookie: string) => /^cac_session=([^;]*)/.exec(setCookie)?.[1] ?? '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cac-sessions-'));
  now = Date.UTC(2030, 0, 1);
  keys = new Map([['k1', record('k1')], ['k2', record('k2')]]);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('session cookies', () => {
  it('gives a new 32-byte random id on every login, HttpOnly, SameSite=Strict, Path=/, never Secure, session-only without remember', () => {
    const store = open();
    const a = store.createSession(principalOf('k1'), { remember: false });
    const b = store.createSession(principalOf('k1'), { remember: false });
    expect(a.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(a.setCookie).toBe(`cac_session=${a.sessionId}; Path=/; HttpOnly; SameSite=Strict`);
  });

  it('makes the cookie persistent for 30 days only with remember me', () => {
    const store = open();
    const { sessionId, setCookie } = store.createSession(principalOf('k1'), { remember: true });
    expect(setCookie).toBe(
      `cac_session=${sessionId}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000; Expires=${new Date(now + REMEMBER_MS).toUTCString()}`,
    );
  });

  it('clears the cookie with an expired, otherwise identical cookie', () => {
    expect(open().clearCookie()).toBe('cac_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  });
});

describe('authenticating a session', () => {
  it('acts as the key it was opened with, with that key’s current scopes and rate limit', () => {
    const store = open();
    const { sessionId } = store.createSession(principalOf('k1'), { remember: false });
    const first = store.authenticate(sessionId, now);
    expect(first).toMatchObject({ ok: true, principal: { kind: 'access_key', keyId: 'k1', scopes: ['generate'], quotas: { jobsPerHour: 100, requestsPerMinute: 600, maxQueued: 100 }, comfyUser: null, via: 'session' } });
    keys.set('k1', record('k1', { scopes: ['read'], rate_limit: 7, name: 'renamed' }));
    expect(store.authenticate(sessionId, now)).toMatchObject({ ok: true, principal: { scopes: ['read'], quotas: { jobsPerHour: 7 }, keyName: 'renamed' } });
  });

  it('exposes only the hash of the id on the principal', () => {
    const store = open();
    const { sessionId } = store.createSession(principalOf('k1'), { remember: false });
    const out = store.authenticate(sessionId, now);
    expect(out.ok && out.principal.sessionId).toBe(hashSessionId(sessionId));
  });

  it('never accepts an id it did not create, whatever its shape', () => {
    const store = open();
    store.createSession(principalOf('k1'), { remember: false });
    for (const planted of ['A'.repeat(43), 'attacker-chosen', '', 'x'.repeat(4000)]) {
      expect(store.authenticate(planted, now)).toMatchObject({ ok: false, reason: 'unknown' });
    }
  });

  it('ends a session after 12 hours without remember me and after 30 days with it', () => {
    const store = open();
    const short = store.createSession(principalOf('k1'), { remember: false }).sessionId;
    const long = store.createSession(principalOf('k1'), { remember: true }).sessionId;
    expect(store.authenticate(short, now + BROWSER_SESSION_MS - 1).ok).toBe(true);
    expect(store.authenticate(short, now + BROWSER_SESSION_MS)).toMatchObject({ ok: false, reason: 'unknown' });
    expect(store.authenticate(long, now + REMEMBER_MS - 1).ok).toBe(true);
    expect(store.authenticate(long, now + REMEMBER_MS)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('ends a session whose key expired, and says so', () => {
    const store = open();
    const { sessionId } = store.createSession(principalOf('k1'), { remember: false });
    keys.set('k1', record('k1', { expires_at: (now + 1000) / 1000 }));
    expect(store.authenticate(sessionId, now).ok).toBe(true);
    const out = store.authenticate(sessionId, now + 1000);
    expect(out).toMatchObject({ ok: false, reason: 'expired' });
    expect(!out.ok && out.message).toMatch(/expired/);
    // Even if the expiry is lifted later, the ended session stays ended.
    keys.set('k1', record('k1'));
    expect(store.authenticate(sessionId, now + 1000).ok).toBe(false);
  });
});

describe('ending sessions', () => {
  it('logout ends exactly that session', () => {
    const store = open();
    const a = store.createSession(principalOf('k1'), { remember: false }).sessionId;
    const b = store.createSession(principalOf('k1'), { remember: false }).sessionId;
    expect(store.revoke(a)).toBe(true);
    expect(store.revoke(a)).toBe(false);
    expect(store.authenticate(a, now).ok).toBe(false);
    expect(store.authenticate(b, now).ok).toBe(true);
  });

  it('revoking a key ends all its sessions, and the next request learns it was revoked', () => {
    const store = open();
    const a = store.createSession(principalOf('k1'), { remember: true }).sessionId;
    const b = store.createSession(principalOf('k1'), { remember: false }).sessionId;
    const other = store.createSession(principalOf('k2'), { remember: false }).sessionId;
    expect(store.revokeForKey('k1', 'revoked')).toBe(2);
    for (const id of [a, b]) expect(store.authenticate(id, now)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(store.authenticate(other, now).ok).toBe(true);
    expect(open().authenticate(a, now).ok).toBe(false);
  });

  it('revokeAll logs every browser out and reports how many', () => {
    const store = open();
    const ids = [store.createSession(principalOf('k1'), { remember: true }), store.createSession(principalOf(null), { remember: false })];
    expect(store.count()).toBe(2);
    expect(store.revokeAll()).toBe(2);
    expect(store.count()).toBe(0);
    for (const { sessionId } of ids) expect(store.authenticate(sessionId, now).ok).toBe(false);
    expect(open().count()).toBe(0);
  });

  it('drops the oldest sessions beyond the cap', () => {
    const store = new SessionStore({ dataDir: null, resolve: keyRecordResolver({ get: (id) => keys.get(id) ?? null }), adminTag: 't', now: () => now, maxSessions: 2 });
    const [a, b, c] = [0, 1, 2].map(() => store.createSession(principalOf('k1'), { remember: false }).sessionId);
    expect(store.authenticate(a ?? '', now).ok).toBe(false);
    expect(store.authenticate(b ?? '', now).ok).toBe(true);
    expect(store.authenticate(c ?? '', now).ok).toBe(true);
  });
});

describe('remember me across restarts', () => {
  it('a remembered session survives a new store on the same data dir; a browser-only one does not', () => {
    const first = open();
    const kept = first.createSession(principalOf('k1'), { remember: true }).sessionId;
    const lost = first.createSession(principalOf('k1'), { remember: false }).sessionId;
    const second = open();
    expect(second.authenticate(kept, now)).toMatchObject({ ok: true, principal: { keyId: 'k1' } });
    expect(second.authenticate(lost, now).ok).toBe(false);
  });

  it('stores only hashes of the ids, in a 0600 file', () => {
    const store = open();
    const { sessionId } = store.createSession(principalOf('k1'), { remember: true });
    const path = join(dir, 'sessions.json');
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(sessionId);
    expect(text).toContain(hashSessionId(sessionId));
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('does not honour a remembered admin session after the admin key changed', () => {
    const { sessionId } = open({ adminTag: 'old' }).createSession(principalOf(null), { remember: true });
    expect(open({ adminTag: 'old' }).authenticate(sessionId, now).ok).toBe(true);
    expect(open({ adminTag: 'new' }).authenticate(sessionId, now).ok).toBe(false);
  });

  it('starts empty and says why when the session file is corrupt', () => {
    writeFileSync(join(dir, 'sessions.json'), '{not json');
    const errors: Error[] = [];
    const store = open({ onError: (e) => errors.push(e) });
    expect(store.count()).toBe(0);
    expect(errors[0]?.message).toMatch(/remembered browser logins were dropped/);
    expect(errors[0]?.message).not.toMatch(/not json/);
  });
});
