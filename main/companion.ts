// Composition root of the desktop app: settings, secrets, account, key store, sessions, monitor and the
// proxy listener, wired into the CompanionRuntime the Electron shell drives. No electron import: Electron
// hands in safeStorage, the settings store class and shell.openExternal through RuntimeEnvironment.
import { randomBytes } from 'node:crypto';
import type { CompanionEvent } from '../preload/contract';
import { AccountService } from './account/accountService';
import { wireAppAccountability } from './audit/appAccountability';
import { createCompanionApi, forwardServiceEvents, type CompanionApiDeps } from './app/companionApi';
import type { CompanionRuntime, CompanionRuntimeFactory, RuntimeEnvironment } from './app/runtime';
import type { TrayState } from './app/trayMenu';
import { CloudClient, type CloudClientOptions } from './cloud/cloudClient';
import { MonitorService } from './monitor/monitorService';
import { openProxyServices, startProxyWith, type ProxyServices } from './proxyStack';
import type { RunningProxy } from './proxy/server';
import { chooseSecretStore, type ChooseSecretStoreOptions } from './secrets';
import { createSettingsStore, type SettingsStore } from './settings/settingsStore';

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
}

type ProxyState = 'running' | 'paused' | 'stopped' | 'error';

export interface Companion extends CompanionRuntime {
  services: ProxyServices;
  settings: SettingsStore;
  monitor: MonitorService;
  account: AccountService;
  proxyUrl(): string | null;
}

export async function createCompanion(options: CompanionOptions): Promise<Companion> {
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
  const account = new AccountService({ secrets, settings, cloud, sessions: { revokeAll: () => services.login.sessions.revokeAll() } });
  await account.load();
  const accountability = wireAppAccountability({ services, settings, account, showSaveDialog: options.showSaveDialog });
  const monitor = new MonitorService({
    upstream: () => settings.get().upstreamUrl,
    upstreamKey: () => account.getUpstreamKey(),
    fetch: options.fetch,
    now,
  });

  let proxy: RunningProxy | null = null;
  let state: ProxyState = 'stopped';
  let error: string | null = null;
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

  const listen = async () => {
    const s = settings.get();
    try {
      proxy = await startProxyWith(services, {
        upstream: s.upstreamUrl,
        listenHost: '127.0.0.1',
        listenPort: boundPort ?? options.listenPortOverride ?? s.listenPort,
        upstreamKey: () => account.getUpstreamKey(),
        cloudKey: () => account.getCloudKey(),
        allowedOrigins: () => settings.get().allowedOrigins,
        observers: [monitor],
        version: options.appVersion,
        now,
      });
      state = 'running';
      error = null;
      if (options.listenPortOverride === 0) boundPort = proxy.port;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      state = 'error';
      error = e.code === 'EADDRINUSE' ? `port ${s.listenPort} is in use` : 'the proxy could not start';
    }
    proxyChanged();
  };
  const stopListening = async (next: ProxyState) => {
    const running = proxy;
    proxy = null;
    if (running) await running.close(3_000);
    state = next;
    proxyChanged();
  };

  // A new upstream or port takes effect by restarting the listener.
  let last = settings.get();
  settings.onChange((s) => {
    const restart = s.upstreamUrl !== last.upstreamUrl || s.listenPort !== last.listenPort;
    last = s;
    if (restart && state === 'running') void stopListening('stopped').then(listen);
  });

  const deps: CompanionApiDeps = {
    keys: accountability.keys,
    accountability: accountability.accountability,
    usage: services.keys.usage,
    limiter: services.keys.limiter,
    settings,
    account,
    monitor,
    proxy: {
      status: () => ({ state: state === 'error' ? 'stopped' : state, url: proxy?.url ?? null, version: options.appVersion }),
      pause: () => stopListening('paused'),
      resume: () => (proxy ? Promise.resolve() : listen()),
      onChange: (l) => {
        proxyListeners.add(l);
        return () => proxyListeners.delete(l);
      },
    },
    openExternal: options.openExternal,
    emit,
    now,
  };
  const handlers = createCompanionApi(deps);
  const stopForwarding = forwardServiceEvents(deps);

  const status = (): TrayState => {
    const health = monitor.latestHealth();
    const a = account.status();
    return {
      proxy: state,
      proxyUrl: proxy?.url ?? null,
      upstream: { url: settings.get().upstreamUrl, reachable: health ? health.up : null, latencyMs: health?.latencyMs ?? null },
      cloud: { loggedIn: a.cloud.loggedIn, hint: a.cloud.keyHint },
      sessions: services.login.sessions.count(),
      keys: services.keys.store.list().length,
      error,
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
    async start() {
      monitor.start();
      await listen();
    },
    pause: () => deps.proxy.pause(),
    resume: () => deps.proxy.resume(),
    close() {
      closed ??= (async () => {
        stopForwarding();
        accountability.stop();
        monitor.stop();
        await stopListening('stopped');
        await services.close();
      })();
      return closed;
    },
    status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The factory main/app/main.ts uses. */
export const createCompanionRuntime: CompanionRuntimeFactory = (env) => createCompanion(env);

