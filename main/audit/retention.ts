// Retention (SPEC §11, default 90 days): drops usage days and audit entries older than the setting,
// once at start and then once a day, and again whenever the setting changes.
import type { AuditLog } from './auditLog';

export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

export interface RetentionDeps {
  days: () => number;
  audit: Pick<AuditLog, 'prune'>;
  usage: { setRetentionDays(days: number): void };
  now?: () => number;
  /** Default one day. */
  intervalMs?: number;
}

export interface Retention {
  /** Applies the current setting now; returns what the audit log dropped. */
  apply(): { removedEntries: number; removedFiles: number };
  stop(): void;
}

export function startRetention(deps: RetentionDeps): Retention {
  const now = deps.now ?? Date.now;
  const apply = () => {
    const days = deps.days();
    deps.usage.setRetentionDays(days);
    // The same window as the usage days: today (UTC) and the days - 1 before it.
    const today = Math.floor(now() / DAY_MS) * DAY_MS;
    return deps.audit.prune(today - (days - 1) * DAY_MS);
  };
  apply();
  const timer = setInterval(apply, deps.intervalMs ?? DAY_MS);
  timer.unref();
  return { apply, stop: () => clearInterval(timer) };
}
