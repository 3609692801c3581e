// Composition root of the proxy side: key store, rate limiter, usage, login sessions and the proxy
// itself, opened on one data dir. The headless CLI and the desktop app both start the proxy through here;
// the app keeps the services open while it pauses and resumes the listener.
import { openAuditServices, type AuditServices } from '../audit/auditServices';
import { JobLedger } from '../jobs/jobLedger';
import { openKeyServices, type KeyServices } from '../keys/keyServices';
import { adminKeyAuthenticator, chainAuthenticators } from '../auth/adminKey';
import { openLoginServices, type LoginServices } from '../auth/authServices';
import type { SessionStore } from '../auth/sessions/sessionStore';
import { startProxy, type ProxyOptions, type RunningProxy } from '../proxy/server';
import type { KeyAuthenticator } from '../common/principal';
import type { ProxyObserver } from '../common/traffic';
import { gpuSecondsOn } from '../keys/usageReport';
import { MetricsService } from '../metrics/metricsService';
import { metricsRoute } from '../metrics/metricsRoute';
import { activeJobsOf } from '../metrics/metricsSources';

export interface ProxyServicesConfig {
  dataDir: string;
  adminKey: string;
  onError?: (err: Error) => void;
  now?: () => number;
  /** Days of usage and audit history kept (default 90). */
  retentionDays?: number;
  /** The headless CLI: the login page tells people to get a key from whoever runs the box, not the app. */
  headless?: boolean;
}

/** Everything behind the listener: survives a pause/resume of the proxy. */
export interface ProxyServices {
  keys: KeyServices;
  login: LoginServices;
  /** The audit log, its route and retention. */
  audit: AuditServices;
  /** Admin key first, then the access-key store. */
  authenticator: KeyAuthenticator;
  /** Every job that passed through the proxy (SPEC §8.1), persisted in the data dir. */
  ledger: JobLedger;
  /** Prometheus metrics and GET /metrics (SPEC §11). */
  metrics: MetricsService;
  close(): Promise<void>;
}

export interface ListenConfig extends Pick<ProxyOptions, 'upstreamTimeoutMs' | 'timeouts' | 'inFlight' | 'upstreamHealth' | 'onUpstreamEvent' | 'queueOrder' | 'slowClients'> {
  /** One upstream URL or several (SPEC §10). */
  upstream: string | readonly string[];
  listenHost: string;
  listenPort: number;
  upstreamKey: () => string | null;
  cloudKey: () => string | null;
  allowedOrigins?: () => readonly string[];
  allowedHosts?: () => readonly string[];
  /** Folders of ComfyUI's input folder that keys share besides its top level (SPEC §8.3 private uploads). */
  sharedInputFolders?: () => readonly string[];
  upstreamTimeoutMs?: number;
  observers?: ProxyObserver[];
  version: string;
  now?: () => number;
}

export type ProxyStackConfig = ProxyServicesConfig & ListenConfig;

export interface ProxyStack {
  proxy: RunningProxy;
  keys: KeyServices;
  /** Browser login sessions: revokeAll() is the account service's "log out browser sessions". */
  sessions: SessionStore;
  /** Stops the proxy (in-flight requests finish, bounded) and flushes usage and limiter state. */
  close(graceMs?: number): Promise<void>;
}

/** Opens the key store and login sessions of a data dir. Throws KeyStoreCorruptError for a bad keys.json. */
export function openProxyServices(config: ProxyServicesConfig): ProxyServices {
  const audit = openAuditServices({ dataDir: config.dataDir, now: config.now, retentionDays: config.retentionDays, onError: config.onError });
  const keys = openKeyServices({
    dataDir: config.dataDir,
    now: config.now,
    onError: config.onError,
    retentionDays: config.retentionDays,
    mutationsFor: audit.mutationsFor,
  });
  audit.startRetention(keys.usage);
  const authenticator = chainAuthenticators(adminKeyAuthenticator(config.adminKey), keys.store);
  const login = openLoginServices({
    dataDir: config.dataDir,
    keys: authenticator,
    keyStore: keys.store,
    adminKey: config.adminKey,
    headless: config.headless,
    now: config.now,
    onError: config.onError,
    audit: audit.log,
  });
  const ledger = new JobLedger({ dataDir: config.dataDir, onError: config.onError });
  // Finished jobs become usage: jobs per outcome and GPU seconds per key and day.
  const detachLedger = keys.usage.attachLedger(ledger);
  const metrics = new MetricsService(
    {
      keys: () => keys.store.list().filter((k) => k.status !== 'revoked'),
      usage: (keyId) => keys.usage.jobs(keyId).totals,
      activeJobs: () => activeJobsOf(ledger),
    },
    ledger,
  );
  return {
    keys,
    login,
    audit,
    authenticator,
    ledger,
    metrics,
    async close() {
      metrics.close();
      detachLedger();
      audit.close();
      login.close();
      await keys.close();
      ledger.close();
    },
  };
}

/** Starts a listener in front of the upstream using already-open services. */
export async function startProxyWith(services: ProxyServices, config: ListenConfig): Promise<RunningProxy> {
  const { keys, login } = services;
  const proxy = await startProxy({
    upstream: config.upstream,
    listenHost: config.listenHost,
    listenPort: config.listenPort,
    keys: services.authenticator,
    sessions: login.sessions,
    rateLimiter: keys.limiter,
    observers: [keys.usage, services.metrics, ...(config.observers ?? [])],
    routes: [...keys.routes, ...login.routes, ...services.audit.routes, metricsRoute(services.metrics)],
    htmlInjection: login.htmlInjection,
    upstreamKey: config.upstreamKey,
    cloudKey: config.cloudKey,
    gpuSecondsToday: (keyId) => gpuSecondsOn(keys.usage, keyId, (config.now ?? Date.now)()),
    allowedOrigins: config.allowedOrigins,
    allowedHosts: config.allowedHosts,
    sharedInputFolders: config.sharedInputFolders,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    ledger: services.ledger,
    version: config.version,
    now: config.now,
    timeouts: config.timeouts,
    inFlight: config.inFlight,
    upstreamHealth: config.upstreamHealth,
    onUpstreamEvent: config.onUpstreamEvent,
    queueOrder: config.queueOrder,
    slowClients: config.slowClients,
  });
  // A revoked, disabled or rotated key loses its open sockets and responses at once (SPEC §8.6).
  const stopWatching = keys.store.onChange(() => proxy.connections.recheckAll());
  services.metrics.attach({ upstreams: async () => (await proxy.health.report()).upstreams, inFlight: () => proxy.inFlight() });
  const close = proxy.close.bind(proxy);
  proxy.close = (graceMs) => {
    services.metrics.attach(null);
    stopWatching();
    return close(graceMs);
  };
  return proxy;
}

export async function startProxyStack(config: ProxyStackConfig): Promise<ProxyStack> {
  const services = openProxyServices(config);
  let proxy: RunningProxy;
  try {
    proxy = await startProxyWith(services, config);
  } catch (err) {
    await services.close();
    throw err;
  }
  return {
    proxy,
    keys: services.keys,
    sessions: services.login.sessions,
    async close(graceMs) {
      await proxy.close(graceMs);
      await services.close();
    },
  };
}
