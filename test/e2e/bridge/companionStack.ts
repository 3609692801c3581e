// The whole companion, headless, for e2e tests: fake ComfyUI and fake Comfy Cloud on loopback in front of
// the desktop app's own composition root (main/compose/companion.ts: key store, usage, rate limiter, sessions,
// settings, secrets — memory backend — cloud client, account service, monitor, proxy), served to the
// browser through the bridge server.
import Conf from 'conf';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountService } from '../../../main/account/accountService';
import type { TrayState } from '../../../main/api/trayMenu';
import { createCompanion } from '../../../main/compose/companion';
import type { KeyServices } from '../../../main/keys/keyServices';
import type { MonitorService } from '../../../main/monitor/monitorService';
import { createSettingsStore, type BackingStoreClass, type SettingsStore } from '../../../main/settings/settingsStore';
import type { CompanionEvent } from '../../../preload/contract';
import { startFakeCloud, type FakeCloud } from '../../fixtures/fakeCloud';
import { startFakeComfy, type FakeComfy } from '../../fixtures/fakeComfy';
import { basicTextSafeStorage } from '../../fixtures/fakeSafeStorage';
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
  /** What the tray shows (the runtime's status). */
  trayState(): TrayState;
  /** URLs the UI asked main to open (shell:openExternal). */
  opened: string[];
  /** Live browser login sessions. */
  sessions(): number;
  /** Times the window asked the app to quit. */
  quits: number;
  events: CompanionEvent[];
  /** Where the next export's save dialog "saves" (null: the user cancels), and the paths it was asked for. */
  saveDialog: { next: string | null; asked: string[] };
  dataDir: string;
  close(): Promise<void>;
}

export async function startCompanionStack(): Promise<CompanionStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'companion-e2e-'));
  const comfy = await startFakeComfy();
  const cloud = await startFakeCloud();
  // Saved settings: the fake upstream, and the fake cloud's billing endpoint for credits.
  createSettingsStore({ cwd: dataDir }).update({
    upstreams: [comfy.url],
    cloud: { environment: 'production', customBaseUrl: null, billingBaseUrl: cloud.billingUrl, showCredits: true },
  });
  const opened: string[] = [];
  const saveDialog: CompanionStack['saveDialog'] = { next: null, asked: [] };
  const runtime = await createCompanion({
    dataDir,
    appVersion: '0.1.0-e2e',
    safeStorage: basicTextSafeStorage,
    StoreClass: Conf as unknown as BackingStoreClass,
    openExternal: async (url) => void opened.push(url),
    quit: () => void stack.quits++,
    showSaveDialog: async (o) => {
      saveDialog.asked.push(o.defaultPath);
      return saveDialog.next === null ? { canceled: true } : { canceled: false, filePath: saveDialog.next };
    },
    keyring: null,
    listenPortOverride: 0,
    // Retry-After is honoured; the backoff cap keeps the 429 flow short without changing behaviour.
    cloudClientOptions: { retry: { maxDelayMs: 3000 } },
  });
  const events: CompanionEvent[] = [];
  let bridge: BridgeServer | null = null;
  runtime.subscribe((event) => {
    events.push(event);
    bridge?.emit(event);
  });
  await runtime.start();
  // The test page plays the app's window, on screen the whole time: the monitor is watched, as desktopApp does
  // for a visible window (health sampled every second, not backed off to 30 s while a test waits for it).
  const stopWatching = runtime.watchMonitor?.() ?? (() => {});
  bridge = await startBridgeServer(runtime.handlers);

  const stack: CompanionStack = {
    comfy,
    cloud,
    bridge,
    keys: runtime.services.keys,
    settings: runtime.settings,
    account: runtime.account,
    monitor: runtime.monitor,
    proxyUrl: () => runtime.proxyUrl() ?? '',
    trayState: () => runtime.status(),
    opened,
    sessions: () => runtime.services.login.sessions.count(),
    quits: 0,
    events,
    saveDialog,
    dataDir,
    async close() {
      await bridge?.close();
      stopWatching();
      await runtime.close();
      await comfy.close();
      await cloud.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
