// Comfy Cloud login and logout in the audit log, read from the account service's status stream: a
// change from logged out to logged in (or to another key) is a `cloud.login`, the reverse a
// `cloud.logout`. Only the environment and the account's display name are kept, never the key or its hint.
import type { AccountStatus } from '../account/accountService';
import type { AuditActor, AuditSink } from './auditTypes';

export interface AccountStatusSource {
  status(): AccountStatus;
  subscribe(listener: (status: AccountStatus) => void): () => void;
}

export function auditCloudLogins(account: AccountStatusSource, audit: AuditSink, actor: AuditActor): () => void {
  let last = account.status().cloud;
  return account.subscribe((status) => {
    const now = status.cloud;
    const before = last;
    last = now;
    if (now.loggedIn && (!before.loggedIn || now.keyHint !== before.keyHint || now.environment !== before.environment)) {
      audit.record(actor, 'cloud.login', 'cloud', { environment: now.environment, account: now.account?.name ?? now.account?.email ?? null });
    } else if (!now.loggedIn && before.loggedIn) {
      audit.record(actor, 'cloud.logout', 'cloud', { environment: before.environment });
    }
  });
}
