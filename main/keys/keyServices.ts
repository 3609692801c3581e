// Wires the key store, rate limiter and usage recorder of one data dir together the way the
// server uses them, so the Electron app and the headless CLI start them identically.
import type { LocalRoute } from '../http/localRoute';
import type { KeysRoutesDeps } from './keysRoutes';
import { KeyStore, type KeyStoreOptions } from './keyStore';
import { keysRoutes } from './keysRoutes';
import { KeyRateLimiter } from './rateLimiter';
import { UsageRecorder } from './usageRecorder';

export interface KeyServices {
  /** KeyAuthenticator for startProxy({ keys }) (chain it after the admin key). */
  store: KeyStore;
  /** RateLimiter for startProxy({ rateLimiter }). */
  limiter: KeyRateLimiter;
  /** ProxyObserver for startProxy({ observers: [usage] }). */
  usage: UsageRecorder;
  /** LocalRoute[] for startProxy({ routes }). */
  routes: LocalRoute[];
  /** Flushes usage and rate-limit state, stops watching. Call once at shutdown. */
  close(): Promise<void>;
}

export interface KeyServicesOptions {
  dataDir: string;
  now?: () => number;
  onError?: (err: Error) => void;
  /** Watch keys.json for changes by other processes (default true). */
  watch?: boolean;
  pollMs?: KeyStoreOptions['pollMs'];
  /** Wraps the HTTP API's key changes per caller (the audit log records who made them). */
  mutationsFor?: (store: KeyStore) => KeysRoutesDeps['mutationsFor'];
  /** Days of per-day usage kept (the retention setting). */
  retentionDays?: number;
}

/** Throws KeyStoreCorruptError when keys.json is unreadable: refuse to start, show its message. */
export function openKeyServices(options: KeyServicesOptions): KeyServices {
  const { dataDir, now, onError } = options;
  const usage = new UsageRecorder({ dataDir, now, onError, retentionDays: options.retentionDays });
  const limiter = new KeyRateLimiter({ dataDir, now, onError });
  let store: KeyStore;
  try {
    store = new KeyStore({ dataDir, now, onError, watch: options.watch ?? true, pollMs: options.pollMs, lastUsed: (id) => usage.lastUsed(id) });
  } catch (err) {
    usage.close();
    limiter.close();
    throw err;
  }
  return {
    store,
    limiter,
    usage,
    routes: keysRoutes({ store, limiter, usage, now, mutationsFor: options.mutationsFor?.(store) }),
    async close() {
      await store.close();
      usage.close();
      limiter.close();
    },
  };
}
