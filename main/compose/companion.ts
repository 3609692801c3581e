// Composition root of the desktop app: settings, secrets, account, key store, sessions, monitor,
// notifications and the proxy listener, wired into the CompanionRuntime the Electron shell drives. No
// electron import: Electron hands in safeStorage, the settings store class, shell.openExternal, quit and
// a notification sink through RuntimeEnvironment.
import { randomBytes } from 'node:crypto';
import type { CompanionEvent } from '../../preload/contract';
import { AccountService } from '../account/accountService';
import { createUpstreamProber } from '../account/upstreamProbe';
import { UpstreamServers } from '../account/upstreamServers';
import { appStatusOf } from '../api/companionApiHome';
import { wireAppAccountability } from './appAccountability';
import { createCompanionApi, forwardServiceEvents, type CompanionApiDeps } from '../api/companionApi';
import { createHomeState } from '../api/homeState';
import { listenProblem, type ProxyRunState } from '../api/proxyProblem';
import type { CompanionRuntime, CompanionRuntimeFactory, RuntimeEnvironment } from '../api/runtime';
import type { TrayState } from '../api/trayMenu';
import { UpstreamFeed } from '../api/upstreamFeed';
import { CloudClient, type CloudClientOptions } from '../cloud/cloudClient';
import { MonitorService } from '../monitor/monitorService';
import { Notifier } from '../notifications/notifier';
import { openProxyServices, startProxyWith, type ProxyServices } from './proxyStack';
import type { RunningProxy } from '../proxy/server';
import { chooseSecretStore, type ChooseSecretStoreOptions } from '../secrets';
import { createSettingsStore, type SettingsStore } from '../settings/settingsStore';

export interface CompanionOptions extends RuntimeEnvironment {
  /** Tests: a keychain service name of their own, or null to skip the keychain. */
  keyring?: ChooseSecretStoreOptions['keyring'];
  keychainService?: string;
  /** Tests: the listen port to use instead of the saved one (0 = any free port). */
  listenPortOverride?: number;
  now?: () => number;
  fetch?: typeof fetch;
  /** Tests: e.g. a shorter retry ceiling for the cloud client. */
  cloudClientOptions?: Omit<CloudClientOptions, 'billingBaseUrl'>;
  /** Tests: health samples between two upstream probes (default 1 s). */
  sampleIntervalMs?: number;
}

export interface Companion extends CompanionRuntime {
  services: ProxyServices;
  settings: SettingsStore;
  monitor: MonitorService;
  account: AccountService;
  proxyUrl(): string | null;
}

export async function createCompanion(initialOptions: CompanionOptions): Promise<Companion> {
  let options = initialOptions;
  const now = options.now ?? Date.now;
  const settings = createSettingsStore({ cwd: options.dataDir, StoreClass: options.StoreClass });
  const secrets = await chooseSecretStore({
    keyring: options.keyring,
    service: options.keychainService,
    safeStorage: options.safeStorage,
    encryptedSecrets: settings.encryptedSecretsSink(),
  });
  // The admin key (for scripts managing keys over HTTP) is generated once and kept with the other secrets.
  let adminKey = await secrets.get('admin_key');
  if (!adminKey) {
    adminKey = `comfy_admin_${randomBytes(32).toString('base64url')}`;
    await secrets.set('admin_key', adminKey);
  }
  const services = openProxyServices({ dataDir: options.dataDir, adminKey, now, retentionDays: settings.get().retentionDays });
  const cloud = new CloudClient({ ...options.cloudClientOptions, billingBaseUrl: settings.get().cloud.billingBaseUrl, fetch: options.fetch });
  const probeUpstream = createUpstreamProber({ fetch: options.fetch });
  const account = new AccountService({ secrets, settings, cloud, probeUpstream, sessions: { revokeAll: () => services.login.sessions.revokeAll() }, now });
  await account.load();
  const upstreams = new UpstreamServers({ settings, probe: probeUpstream, key: () => account.getUpstreamKey() });
  const primary = () => settings.get().upstreams[0] ?? '';
  // The job ledger: per-key queue counts, job owners in the monitor, notifications for the user's jobs.
  const jobs = services.ledger;
  const accountability = wireAppAccountability({ services, settings, account, showSaveDialog: options.showSaveDialog });
  const monitor = new MonitorService({
    upstream: primary,
    upstreamKey: () => account.getUpstreamKey(),
    fetch: options.fetch,
    now,
    jobs,
    ...(options.sampleIntervalMs ? { sampleIntervalMs: options.sampleIntervalMs } : {}),
  });
  const home = createHomeState(settings, {
    upstreamConnected: () => monitor.latestHealth()?.up === true,
    keyCount: () => services.keys.store.list().length,
  });
  const notifier = new Notifier({
    notify: (n) => options.notify?.(n),
    enabled: () => settings.get().notifications,
    upstreamLabel: primary,
    otherServers: () => settings.get().upstreams.length - 1,
  });
  const stopNotifier = [monitor.subscribe((u) => u.health && notifier.onHealth(u.health)), jobs.subscribe((e) => notifier.onJobEvent(e))];

  let proxy: RunningProxy | null = null;
  let state: ProxyRunState = 'stopped';
  let problem: ReturnType<typeof listenProblem> | null = null;
  let port = options.listenPortOverride ?? settings.get().listenPort;
  // With an override of 0 (tests) the first free port is kept across pause/resume, like a saved port.
  let boundPort: number | null = null;
  const listeners = new Set<(e: CompanionEvent) => void>();
  const proxyListeners = new Set<() => void>();
  const emit = (event: CompanionEvent) => {
    for (const l of listeners) l(event);
  };
  const proxyChanged = () => {
    for (const l of proxyListeners) l();
  };

  const feed = new UpstreamFeed(monitor);
  const listen = async () => {
    const s = settings.get();
    port = boundPort ?? options.listenPortOverride ?? s.listenPort;
    try {
      proxy = await startProxyWith(services, {
        upstream: s.upstreams,
        listenHost: '127.0.0.1',
        listenPort: port,
        upstreamKey: () => account.getUpstreamKey(),
        cloudKey: () => account.getCloudKey(),
        allowedOrigins: () => settings.get().allowedOrigins,
        allowedHosts: () => settings.get().allowedHosts,
        sharedInputFolders: () => settings.get().sharedInputFolders,
        observers: [monitor],
        version: options.appVersion,
        now,
      });
      state = 'running';
      problem = null;
      port = proxy.port;
      feed.attach(proxy);
      if (options.listenPortOverride === 0) boundPort = proxy.port;
    } catch (err) {
      state = 'error';
      problem = listenProblem(err, port);
    }
    proxyChanged();
  };
  const stopListening = async (next: ProxyRunState) => {
    const running = proxy;
    proxy = null;
    feed.detach();
    if (running) await running.close(3_000);
    state = next;
    proxyChanged();
  };

  // A new upstream or port takes effect by restarting the listener; a port typed by the user wins over
  // a test's "any free port". After a failed start (port in use) a new port is tried at once.
  let last = settings.get();
  const applyStartAtLogin = (on: boolean) => {
    try {
      options.setStartAtLogin?.(on);
    } catch {
      // A read-only autostart folder must not break settings; the switch still says what was asked.
    }
  };
  applyStartAtLogin(last.startAtLogin);
  settings.onChange((s) => {
    if (s.startAtLogin !== last.startAtLogin) applyStartAtLogin(s.startAtLogin);
    const portChanged = s.listenPort !== last.listenPort;
    const restart = s.upstreams.join('\n') !== last.upstreams.join('\n') || portChanged;
    last = s;
    if (portChanged) {
      boundPort = null;
      options = { ...options, listenPortOverride: undefined };
    }
    if (restart && (state === 'running' || state === 'error')) void stopListening('stopped').then(listen);
    else if (portChanged && state !== 'running') port = s.listenPort;
  });

  const deps: CompanionApiDeps = {
    keys: accountability.keys,
    accountability: accountability.accountability,
    usage: services.keys.usage,
    limiter: services.keys.limiter,
    settings,
    account,
    upstreams,
    monitor,
    proxy: {
      status: () => ({ state, url: proxy?.url ?? null, port, error: problem, version: options.appVersion }),
      pause: () => stopListening('paused'),
      resume: () => (proxy ? Promise.resolve() : listen()),
      onChange: (l) => {
        proxyListeners.add(l);
        return () => proxyListeners.delete(l);
      },
    },
    sessions: services.login.sessions,
    jobs,
    home,
    openExternal: options.openExternal,
    ...(options.quit ? { quit: options.quit } : {}),
    emit,
    now,
  };
  const handlers = createCompanionApi(deps);
  const stopForwarding = forwardServiceEvents(deps);
  // Home shows health, session and key counts from the status; push a new one when any of them moves.
  let lastSummary = '';
  const summaryChanged = () => {
    const keys = services.keys.store.list();
    const summary = `${monitor.latestHealth()?.up}|${services.login.sessions.count()}|${keys.length}|${keys.filter((k) => k.is_active).length}`;
    if (summary === lastSummary) return;
    lastSummary = summary;
    emit({ type: 'status', status: appStatusOf(deps) });
  };
  const stopSummary = [monitor.subscribe(summaryChanged), services.keys.store.onChange(summaryChanged)];

  const status = (): TrayState => {
    const health = monitor.latestHealth();
    const a = account.status();
    return {
      proxy: state,
      proxyUrl: proxy?.url ?? null,
      upstream: { url: primary(), reachable: health && health.url === primary() ? health.up : null, latencyMs: health?.latencyMs ?? null },
      ...(feed.views().length > 1 ? { upstreams: feed.views().map((u) => ({ url: u.url, state: u.state, latencyMs: u.latencyMs, queue: u.queue, matches: u.matches })) } : {}),
      cloud: { loggedIn: a.cloud.loggedIn, hint: a.cloud.keyHint },
      sessions: services.login.sessions.count(),
      keys: services.keys.store.list().length,
      // The tray has one line: the short form of the reason.
      error: problem ? (problem.code === 'port_in_use' ? `port ${port} is in use` : 'could not start') : null,
    };
  };

  let closed: Promise<void> | null = null;
  return {
    services,
    settings,
    monitor,
    account,
    handlers,
    proxyUrl: () => proxy?.url ?? null,
    comfyOpened: () => {
      home.markComfyOpened();
      emit({ type: 'status', status: appStatusOf(deps) });
    },
    async start() {
      monitor.start();
      await listen();
    },
    pause: () => deps.proxy.pause(),
    resume: () => deps.proxy.resume(),
    close() {
      closed ??= (async () => {
        stopForwarding();
        for (const stop of stopSummary) stop();
        for (const stop of stopNotifier) stop();
        accountability.stop();
        monitor.stop();
        await stopListening('stopped');
        await services.close();
      })();
      return closed;
    },
    status,
    watchMonitor: () => monitor.watch(),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The factory main/app/main.ts uses. */
export const createCompanionRuntime: CompanionRuntimeFactory = (env) => createCompanion(env);

