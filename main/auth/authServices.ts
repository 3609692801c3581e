// Composition of browser login for the proxy stack: the session store on the data dir, bound to the
// key store's change events (revoking or rotating a key ends its sessions), the login routes, the
// failed-login throttle, and the tag injected into ComfyUI's page.
import { NO_AUDIT, type AuditSink } from '../audit/auditTypes';
import { sessionAuditor } from '../audit/sessionAudit';
import type { KeyStore } from '../keys/keyStore';
import type { KeyAuthenticator } from '../common/principal';
import type { LocalRoute } from '../http/localRoute';
import { AUTH_INJECT_TAG } from './login/authInjectScript';
import { loginRoutes } from './login/loginRoutes';
import { LoginThrottle } from './login/loginThrottle';
import { adminSessionTag, keyRecordResolver } from './sessions/sessionPrincipals';
import { SessionStore } from './sessions/sessionStore';

export interface LoginServicesOptions {
  dataDir: string;
  /** The proxy's authenticator (admin key chained with the key store). */
  keys: KeyAuthenticator;
  keyStore: Pick<KeyStore, 'get' | 'onChange'>;
  adminKey: string;
  /** No app on this machine: the login page says where keys come from instead (loginPage.ts). */
  headless?: boolean;
  now?: () => number;
  onError?: (err: Error) => void;
  /** Where logins, failed logins, logouts and ended sessions are recorded. */
  audit?: AuditSink;
}

export interface LoginServices {
  /** SessionAuthenticator for startProxy({ sessions }); revokeAll() logs every browser out. */
  sessions: SessionStore;
  /** LocalRoute[] to append to startProxy({ routes }). */
  routes: LocalRoute[];
  /** For startProxy({ htmlInjection }). */
  htmlInjection: string;
  close(): void;
}

export function openLoginServices(options: LoginServicesOptions): LoginServices {
  const now = options.now ?? Date.now;
  const audit = options.audit ?? NO_AUDIT;
  const sessions = new SessionStore({
    dataDir: options.dataDir,
    resolve: keyRecordResolver(options.keyStore),
    adminTag: adminSessionTag(options.adminKey),
    now,
    onError: options.onError,
    onSessionEvent: sessionAuditor(audit),
  });
  const unsubscribe = options.keyStore.onChange((change) => {
    if (change.keyId === null) return; // a reload also reports each changed key on its own
    if (change.type === 'revoked' || change.type === 'rotated') sessions.revokeForKey(change.keyId, change.type);
  });
  return {
    sessions,
    routes: loginRoutes({ sessions, keys: options.keys, throttle: new LoginThrottle({ now }), now, audit, headless: options.headless === true }),
    htmlInjection: AUTH_INJECT_TAG,
    close() {
      unsubscribe();
      sessions.close();
    },
  };
}
