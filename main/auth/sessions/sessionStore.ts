// Browser login sessions: opaque random cookie values, kept server-side under their SHA-256 hash.
// A session only names the key it acts as; the key is re-resolved on every request, so a PATCH, a
// revocation, an expiry or a rotation of that key applies to its sessions at once.
import { hash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SessionEndReason, SessionEvent } from '../../audit/sessionAudit';
import type { AuthFailureReason, AuthOutcome, Principal, SessionAuthenticator } from '../../common/principal';
import { readSessionFile, SESSIONS_FILE, writeSessionFile, type StoredSession } from './sessionFile';
import { gauge } from '../../common/sizeGauges';

export const SESSION_COOKIE = 'cac_session';
export const REMEMBER_MS = 30 * 24 * 3600 * 1000;
/** Server-side lifetime of a session without "remember me" (the cookie itself dies with the browser). */
export const BROWSER_SESSION_MS = 12 * 3600 * 1000;
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const MAX_TOMBSTONES = 1000;

/** Resolves the key a session acts as (null: the admin key) to its current principal. */
export type PrincipalResolver = (keyId: string | null, nowMs: number) => AuthOutcome;

export interface SessionStoreOptions {
  /** Where remembered sessions persist; null keeps everything in memory. */
  dataDir: string | null;
  resolve: PrincipalResolver;
  /** Tag of the current admin key: admin sessions opened with another admin key are not honoured. */
  adminTag: string;
  now?: () => number;
  cookieName?: string;
  rememberMs?: number;
  browserSessionMs?: number;
  /** Oldest sessions are dropped beyond this many (bounds memory when a key logs in in a loop). */
  maxSessions?: number;
  onError?: (err: Error) => void;
  /** Told when a session opens or ends (the audit log). Must not throw. */
  onSessionEvent?: (event: SessionEvent) => void;
}

interface Session extends StoredSession {
  remember: boolean;
}

/** Why a session ended, kept briefly so the next request can say so (login page hint). */
interface Tombstone {
  reason: AuthFailureReason;
  message: string;
}

export function hashSessionId(sessionId: string): string {
  return hash('sha256', sessionId, 'base64url');
}

export class SessionStore implements SessionAuthenticator {
  readonly cookieName: string;
  private readonly path: string | null;
  private readonly resolve: PrincipalResolver;
  private readonly adminTag: string;
  private readonly now: () => number;
  private readonly rememberMs: number;
  private readonly browserSessionMs: number;
  private readonly maxSessions: number;
  private readonly onError: (err: Error) => void;
  private readonly onSessionEvent: (event: SessionEvent) => void;
  private readonly sessions = new Map<string, Session>();
  private readonly tombstones = new Map<string, Tombstone>();

  constructor(options: SessionStoreOptions) {
    this.cookieName = options.cookieName ?? SESSION_COOKIE;
    this.path = options.dataDir === null ? null : join(options.dataDir, SESSIONS_FILE);
    this.resolve = options.resolve;
    this.adminTag = options.adminTag;
    this.now = options.now ?? Date.now;
    this.rememberMs = options.rememberMs ?? REMEMBER_MS;
    this.browserSessionMs = options.browserSessionMs ?? BROWSER_SESSION_MS;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.onError = options.onError ?? (() => {});
    this.onSessionEvent = options.onSessionEvent ?? (() => {});
    gauge('sessions.live', this, (s) => s.sessions.size);
    gauge('sessions.tombstones', this, (s) => s.tombstones.size);
    if (this.path) {
      const { sessions, error } = readSessionFile(this.path);
      if (error) this.onError(error);
      const nowMs = this.now();
      for (const s of sessions) {
        if (s.expires_ms > nowMs && (s.key_id !== null || s.admin_tag === this.adminTag)) {
          this.sessions.set(s.id_hash, { ...s, remember: true });
        }
      }
      if (sessions.length !== this.persistedCount()) this.persist();
    }
  }

  authenticate(sessionId: string, nowMs: number): AuthOutcome {
    if (!ID_PATTERN.test(sessionId)) return ended();
    const idHash = hashSessionId(sessionId);
    const session = this.sessions.get(idHash);
    if (!session) {
      const why = this.tombstones.get(idHash);
      return why ? { ok: false, ...why } : ended();
    }
    if (nowMs >= session.expires_ms || (session.key_id === null && session.admin_tag !== this.adminTag)) {
      this.drop([idHash], undefined, 'expired');
      return ended();
    }
    const outcome = this.resolve(session.key_id, nowMs);
    if (!outcome.ok) {
      if (outcome.reason === 'revoked' || outcome.reason === 'expired') this.drop([idHash], outcome, outcome.reason === 'revoked' ? 'key_revoked' : 'key_expired');
      return outcome;
    }
    const principal: Principal = { ...outcome.principal, via: 'session', sessionId: idHash };
    return { ok: true, principal };
  }

  /** A fresh random id on every call (never one the client chose), so a planted cookie cannot be fixated. */
  createSession(principal: Principal, options: { remember: boolean }): { sessionId: string; setCookie: string } {
    const nowMs = this.now();
    const sessionId = randomBytes(32).toString('base64url');
    const lifetime = options.remember ? this.rememberMs : this.browserSessionMs;
    const session: Session = {
      id_hash: hashSessionId(sessionId),
      key_id: principal.kind === 'admin' ? null : principal.keyId,
      admin_tag: principal.kind === 'admin' ? this.adminTag : null,
      created_ms: nowMs,
      expires_ms: nowMs + lifetime,
      remember: options.remember,
    };
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.drop([oldest], undefined, 'evicted');
    }
    this.sessions.set(session.id_hash, session);
    if (options.remember) {
      try {
        this.persist(true);
      } catch (err) {
        // "Remember me" that cannot be saved is refused (507 storage_unavailable), not silently downgraded.
        this.sessions.delete(session.id_hash);
        throw err;
      }
    }
    this.onSessionEvent({ type: 'created', keyId: session.key_id, remember: options.remember });
    let setCookie = `${this.cookieName}=${sessionId}; Path=/; HttpOnly; SameSite=Strict`;
    if (options.remember) {
      setCookie += `; Max-Age=${Math.floor(lifetime / 1000)}; Expires=${new Date(nowMs + lifetime).toUTCString()}`;
    }
    return { sessionId, setCookie };
  }

  /** The Set-Cookie value that deletes the session cookie in the browser. */
  clearCookie(): string {
    return `${this.cookieName}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  }

  /** Ends one session by its cookie value (logout). Returns true when it existed. */
  revoke(sessionId: string): boolean {
    if (!ID_PATTERN.test(sessionId)) return false;
    const idHash = hashSessionId(sessionId);
    if (!this.sessions.has(idHash)) return false;
    this.drop([idHash], undefined, 'logout');
    return true;
  }

  /** Ends every session of an access key (the key was revoked or rotated). Returns how many. */
  revokeForKey(keyId: string, why: 'revoked' | 'rotated'): number {
    const ids = [...this.sessions.values()].filter((s) => s.key_id === keyId).map((s) => s.id_hash);
    const message =
      why === 'rotated'
        ? 'The key this login used was rotated, so its old secret is revoked; log in with the new key.'
        : 'The key this login used has been revoked; log in with another key.';
    this.drop(ids, { ok: false, reason: 'revoked', message }, why);
    return ids.length;
  }

  /** Logs every browser out (the account service's "log out browser sessions"). Returns how many. */
  revokeAll(): number {
    const ids = [...this.sessions.keys()];
    this.drop(ids, undefined, 'all');
    return ids.length;
  }

  /** Live sessions (for the tray's "Browser sessions (N)"). */
  count(): number {
    const nowMs = this.now();
    let n = 0;
    for (const s of this.sessions.values()) if (s.expires_ms > nowMs) n++;
    return n;
  }

  /** Remembered sessions are written on every change; nothing is pending. */
  close(): void {}

  private drop(idHashes: readonly string[], why: { ok: false; reason: AuthFailureReason; message: string } | undefined, reason: SessionEndReason): void {
    let persisted = false;
    const keyIds: (string | null)[] = [];
    for (const idHash of idHashes) {
      const session = this.sessions.get(idHash);
      if (!session) continue;
      this.sessions.delete(idHash);
      keyIds.push(session.key_id);
      persisted ||= session.remember;
      if (why) {
        if (this.tombstones.size >= MAX_TOMBSTONES) {
          const oldest = this.tombstones.keys().next().value;
          if (oldest !== undefined) this.tombstones.delete(oldest);
        }
        this.tombstones.set(idHash, { reason: why.reason, message: why.message });
      }
    }
    if (persisted) this.persist();
    if (keyIds.length > 0) this.onSessionEvent({ type: 'ended', reason, keyIds });
  }

  private persistedCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.remember) n++;
    return n;
  }

  /** `strict`: a failed write throws (a new remembered login); otherwise it is reported and memory wins (an ended session stays ended). */
  private persist(strict = false): void {
    if (!this.path) return;
    const nowMs = this.now();
    const kept: StoredSession[] = [];
    for (const s of this.sessions.values()) {
      if (s.remember && s.expires_ms > nowMs) {
        kept.push({ id_hash: s.id_hash, key_id: s.key_id, admin_tag: s.admin_tag, created_ms: s.created_ms, expires_ms: s.expires_ms });
      }
    }
    try {
      writeSessionFile(this.path, kept);
    } catch (err) {
      if (strict) throw err;
      this.onError(err as Error);
    }
  }
}

function ended(): AuthOutcome {
  return { ok: false, reason: 'unknown', message: 'Your login session has ended; please log in again.' };
}
