// The whole companion, headless, for e2e tests: fake ComfyUI and fake Comfy Cloud on loopback, the
// real key store / usage / rate limiter, login sessions, settings, secrets (memory backend), cloud
// client, account service, monitor and proxy — wired into createCompanionApi and the bridge server.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountService } from '../../../main/account/accountService';
import { createCompanionApi, forwardServiceEvents, type ProxyControl } from '../../../main/app/companionApi';
import { CloudClient } from '../../../main/cloud/cloudClient';
import { openKeyServices, type KeyServices } from '../../../main/keys/keyServices';
import { MonitorService } from '../../../main/monitor/monitorService';
import { adminKeyAuthenticator, chainAuthenticators } from '../../../main/proxy/adminKey';
import { openLoginServices, type LoginServices } from '../../../main/proxy/login/loginServices';
import { startProxy, type RunningProxy } from '../../../main/proxy/server';
import { MemorySecretStore } from '../../../main/secrets/memorySecretStore';
import { createSettingsStore, type SettingsStore } from '../../../main/settings/settingsStore';
import type { CompanionEvent } from '../../../preload/contract';
import { startFakeCloud, type FakeCloud } from '../../fixtures/fakeCloud';
import { startFakeComfy, type FakeComfy } from '../../fixtures/fakeComfy';
import { startBridgeServer, type BridgeServer } from './bridgeServer';

export interface CompanionStack {
  comfy: FakeComfy;
  cloud: FakeCloud;
  bridge: BridgeServer;
  keys: KeyServices;
  settings: SettingsStore;
  account: AccountService;
  monitor: MonitorService;
  /** The proxy's current URL (same port across pause/resume). */
  proxyUrl(): string;
  /** URLs the UI asked main to open (shell:openExternal). */
  opened: string[];
  events: CompanionEvent[];
  close(): Promise<void>;
}

export async function startCompanionStack(): Promise<CompanionStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'companion-e2e-'));
  const comfy = await startFakeComfy();
  const cloud = await startFakeCloud();
  const settings = createSettingsStore({ cwd: dataDir });
  settings.update({ upstreamUrl: comfy.url });
  const keys = openKeyServices({ dataDir, watch: false });
  const adminKey = `comfy_admin_${randomBytes(24).toString('base64url')}`;
  const authenticator = chainAuthenticators(adminKeyAuthenticator(adminKey), keys.store);
  const login: LoginServices = openLoginServices({ dataDir, keys: authenticator, keyStore: keys.store, adminKey });
  const secrets = new MemorySecretStore('No keychain in this test environment; secrets are kept for this session only');
  // Retry-After is honoured; the backoff cap keeps the 429 flow short without changing behaviour.
  const cloudClient = new CloudClient({ billingBaseUrl: cloud.billingUrl, retry: { maxDelayMs: 3000 } });
  const account = new AccountService({ secrets, settings, cloud: cloudClient, sessions: login.sessions });
  await account.load();
  const monitor = new MonitorService({ upstream: () => settings.get().upstreamUrl, upstreamKey: () => account.getUpstreamKey() });

  const proxyOptions = {
    upstream: comfy.url,
    listenHost: '127.0.0.1',
    keys: authenticator,
    sessions: login.sessions,
    rateLimiter: keys.limiter,
    observers: [keys.usage, monitor],
    routes: [...keys.routes, ...login.routes],
    htmlInjection: login.htmlInjection,
    upstreamKey: () => account.getUpstreamKey(),
    cloudKey: () => account.getCloudKey(),
    allowedOrigins: () => settings.get().allowedOrigins,
    version: '0.1.0-e2e',
  };
  let proxy: RunningProxy | null = await startProxy({ ...proxyOptions, listenPort: 0 });
  const port = proxy.port;
  const proxyListeners = new Set<() => void>();
  const control: ProxyControl = {
    status: () => ({ state: proxy ? 'running' : 'paused', url: `http://127.0.0.1:${port}`, version: '0.1.0-e2e' }),
    async pause() {
      await proxy?.close(500);
      proxy = null;
      for (const l of proxyListeners) l();
    },
    async resume() {
      proxy ??= await startProxy({ ...proxyOptions, listenPort: port });
      for (const l of proxyListeners) l();
    },
    onChange(listener) {
      proxyListeners.add(listener);
      return () => proxyListeners.delete(listener);
    },
  };

  const opened: string[] = [];
  const events: CompanionEvent[] = [];
  let bridge: BridgeServer | null = null;
  const emit = (event: CompanionEvent) => {
    events.push(event);
    bridge?.emit(event);
  };
  const deps = {
    keys: keys.store,
    usage: keys.usage,
    limiter: keys.limiter,
    settings,
    account,
    monitor,
    proxy: control,
    openExternal: async (url: string) => void opened.push(url),
    emit,
  };
  bridge = await startBridgeServer(createCompanionApi(deps));
  const stopEvents = forwardServiceEvents(deps);
  monitor.start();

  return {
    comfy,
    cloud,
    bridge,
    keys,
    settings,
    account,
    monitor,
    proxyUrl: () => `http://127.0.0.1:${port}`,
    opened,
    events,
    async close() {
      stopEvents();
      monitor.stop();
      await bridge?.close();
      await proxy?.close(200);
      login.close();
      await keys.close();
      await comfy.close();
      await cloud.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
