// Composition root of the proxy side: key store, rate limiter, usage, login sessions and the proxy
// itself, opened on one data dir. The headless CLI and the desktop app both start the proxy through here.
import { openKeyServices, type KeyServices } from './keys/keyServices';
import { adminKeyAuthenticator, chainAuthenticators } from './proxy/adminKey';
import { openLoginServices } from './proxy/login/loginServices';
import type { SessionStore } from './proxy/login/sessionStore';
import { startProxy, type RunningProxy } from './proxy/server';
import type { ProxyObserver } from './proxy/types';

export interface ProxyStackConfig {
  upstream: string;
  listenHost: string;
  listenPort: number;
  dataDir: string;
  adminKey: string;
  upstreamKey: () => string | null;
  cloudKey: () => string | null;
  allowedOrigins?: () => readonly string[];
  observers?: ProxyObserver[];
  version: string;
  onError?: (err: Error) => void;
  now?: () => number;
}

export interface ProxyStack {
  proxy: RunningProxy;
  keys: KeyServices;
  /** Browser login sessions: revokeAll() is the account service's "log out browser sessions". */
  sessions: SessionStore;
  /** Stops the proxy (in-flight requests finish, bounded) and flushes usage and limiter state. */
  close(graceMs?: number): Promise<void>;
}

export async function startProxyStack(config: ProxyStackConfig): Promise<ProxyStack> {
  const keys = openKeyServices({ dataDir: config.dataDir, now: config.now, onError: config.onError });
  const authenticator = chainAuthenticators(adminKeyAuthenticator(config.adminKey), keys.store);
  const login = openLoginServices({ dataDir: config.dataDir, keys: authenticator, keyStore: keys.store, adminKey: config.adminKey, now: config.now, onError: config.onError });
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({
      upstream: config.upstream,
      listenHost: config.listenHost,
      listenPort: config.listenPort,
      keys: authenticator,
      sessions: login.sessions,
      rateLimiter: keys.limiter,
      observers: [keys.usage, ...(config.observers ?? [])],
      routes: [...keys.routes, ...login.routes],
      htmlInjection: login.htmlInjection,
      upstreamKey: config.upstreamKey,
      cloudKey: config.cloudKey,
      allowedOrigins: config.allowedOrigins,
      version: config.version,
      now: config.now,
    });
  } catch (err) {
    login.close();
    await keys.close();
    throw err;
  }
  return {
    proxy,
    keys,
    sessions: login.sessions,
    async close(graceMs) {
      await proxy.close(graceMs);
      login.close();
      await keys.close();
    },
  };
}
