// The audit log's vocabulary (SPEC §11): who did what to which target, as one JSON line each.
// Entries never hold a secret, a hash of one, or anything typed as a guess at one.

/** "app" (the desktop app's IPC), "cli" (the keys CLI), "admin" (the admin key over HTTP), an access
 *  key's id (HTTP with an admin-scoped key, or the key holder's own login/logout), "anonymous" (a failed
 *  login: nothing from the attempt is kept) or "system" (the companion itself: a session that ended
 *  because its key went away or it expired, retention). */
export type AuditActor = string;
export const APP_ACTOR = 'app';
export const CLI_ACTOR = 'cli';
export const ADMIN_ACTOR = 'admin';
export const ANONYMOUS_ACTOR = 'anonymous';
export const SYSTEM_ACTOR = 'system';

export const AUDIT_EVENTS = [
  'key.created',
  'key.edited',
  'key.disabled',
  'key.enabled',
  'key.revoked',
  'key.rotated',
  'login',
  'login.failed',
  'logout',
  'session.ended',
  'settings.changed',
  'cloud.login',
  'cloud.logout',
] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** Detail values: plain data only (no secrets by construction: callers pick fields, never copy bodies). */
export type AuditDetails = Record<string, string | number | boolean | null | string[]>;

export interface AuditEntry {
  /** ISO 8601 UTC with milliseconds. */
  time: string;
  actor: AuditActor;
  event: AuditEvent;
  /** A key id, "admin", "settings", "cloud", "sessions", or null. */
  target: string | null;
  details: AuditDetails;
}

/** What the places that do things call; implemented by AuditLog (and test recorders). Never throws. */
export interface AuditSink {
  record(actor: AuditActor, event: AuditEvent, target: string | null, details?: AuditDetails): void;
}

/** For code paths that run without an audit log (tests, a CLI reader). */
export const NO_AUDIT: AuditSink = { record() {} };

export function isAuditEvent(value: unknown): value is AuditEvent {
  return typeof value === 'string' && (AUDIT_EVENTS as readonly string[]).includes(value);
}
