// Browser login sessions in the audit log: the session store reports each session it opens or ends,
// and this turns that into `login`, `logout` and `session.ended` entries.
import { ADMIN_ACTOR, APP_ACTOR, SYSTEM_ACTOR, type AuditSink } from './auditTypes';

export type SessionEndReason = 'logout' | 'revoked' | 'rotated' | 'key_revoked' | 'key_expired' | 'expired' | 'evicted' | 'all';

export type SessionEvent =
  | { type: 'created'; keyId: string | null; remember: boolean }
  /** One per ending action; keyIds has one entry per session ended (null = an admin-key session). */
  | { type: 'ended'; reason: SessionEndReason; keyIds: (string | null)[] };

export function sessionAuditor(audit: AuditSink): (event: SessionEvent) => void {
  const who = (keyId: string | null): string => keyId ?? ADMIN_ACTOR;
  return (event) => {
    if (event.type === 'created') {
      audit.record(who(event.keyId), 'login', who(event.keyId), { remember: event.remember });
      return;
    }
    if (event.keyIds.length === 0) return;
    if (event.reason === 'logout') {
      for (const keyId of event.keyIds) audit.record(who(keyId), 'logout', who(keyId), {});
      return;
    }
    if (event.reason === 'all') {
      // "Log out browser sessions" / "Log out everything" in the app or tray.
      const keys = [...new Set(event.keyIds.map(who))].sort();
      audit.record(APP_ACTOR, 'session.ended', 'sessions', { reason: 'logout_all', sessions: event.keyIds.length, keys });
      return;
    }
    const counts = new Map<string, number>();
    for (const keyId of event.keyIds) counts.set(who(keyId), (counts.get(who(keyId)) ?? 0) + 1);
    for (const [target, n] of counts) audit.record(SYSTEM_ACTOR, 'session.ended', target, { reason: event.reason, sessions: n });
  };
}
