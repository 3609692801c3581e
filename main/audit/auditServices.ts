// Composition of accountability for one data dir: the audit log, the actor-aware key mutations the
// HTTP API uses, GET /api/audit, and retention over the audit log and the usage days.
import type { KeyStore } from '../keys/keyStore';
import type { UsageRecorder } from '../keys/usageRecorder';
import type { LocalRoute } from '../http/localRoute';
import type { Principal } from '../common/principal';
import { auditedKeys, type KeyMutations } from './auditedKeys';
import { AuditLog } from './auditLog';
import { auditRoutes } from './auditRoutes';
import { ADMIN_ACTOR } from './auditTypes';
import { DEFAULT_RETENTION_DAYS, startRetention, type Retention } from './retention';

export interface AuditServices {
  log: AuditLog;
  routes: LocalRoute[];
  /** For openKeyServices({ mutationsFor }): records HTTP key changes with the caller as actor. */
  mutationsFor(store: KeyStore): (principal: Principal) => KeyMutations;
  /** Starts retention over the usage days too (call once the usage recorder exists). */
  startRetention(usage: Pick<UsageRecorder, 'setRetentionDays'>): Retention;
  /** Changes the retention period (the app's setting) and applies it at once. */
  setRetentionDays(days: number): void;
  close(): void;
}

export interface AuditServicesOptions {
  dataDir: string;
  now?: () => number;
  retentionDays?: number;
  onError?: (err: Error) => void;
}

/** The HTTP actor: the admin key, or the id of the admin-scoped access key that called. */
export function httpActor(principal: Principal): string {
  return principal.kind === 'admin' || principal.keyId === null ? ADMIN_ACTOR : principal.keyId;
}

export function openAuditServices(options: AuditServicesOptions): AuditServices {
  const log = new AuditLog({ dataDir: options.dataDir, now: options.now, onError: options.onError });
  let days = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  let retention: Retention | null = null;
  return {
    log,
    routes: auditRoutes({ read: () => log.read(), now: options.now }),
    mutationsFor: (store) => (principal) => auditedKeys(store, log, httpActor(principal)),
    startRetention(usage) {
      retention?.stop();
      retention = startRetention({ days: () => days, audit: log, usage, now: options.now });
      return retention;
    },
    setRetentionDays(next) {
      if (next === days) return;
      days = next;
      retention?.apply();
    },
    close() {
      retention?.stop();
      log.sync();
    },
  };
}
