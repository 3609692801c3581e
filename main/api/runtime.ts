// The narrow interface the Electron shell needs from the composed services (main/compose/companion.ts):
// lifecycle, the tray's status, the push stream, the account log-outs and the IPC handlers.
import type { CompanionEvent, ContractHandlers } from '../../preload/contract';
import type { DesktopNotification } from '../notifications/notifier';
import type { SafeStorageAdapter } from '../secrets/safeStorageSecretStore';
import type { BackingStoreClass } from '../settings/settingsStore';
import type { ShowSaveDialog } from './accountabilityApi';
import type { AccountLogout } from './trayActions';
import type { TrayState } from './trayMenu';

/** Everything Electron-specific the services need, handed over as plain values and adapters. */
export interface RuntimeEnvironment {
  /** app.getPath('userData'): settings, key store, usage. */
  dataDir: string;
  appVersion: string;
  /** Electron's safeStorage, for the secret store's fallback backend. */
  safeStorage: SafeStorageAdapter;
  /** ElectronStore, for the settings store. */
  StoreClass: BackingStoreClass;
  /** shell.openExternal, for the `shell:openExternal` channel (targets are mapped by the handlers). */
  openExternal(url: string): Promise<void>;
  /** app.quit, for the window's Quit (the `app:quit` channel). */
  quit?(): void;
  /** Registers or removes the app as a login item ("Start at sign-in"); absent outside Electron. */
  setStartAtLogin?(on: boolean): void;
  /** Shows a desktop notification (Electron Notification); absent = none are shown. */
  notify?(notification: DesktopNotification): void;
  /** Electron's dialog.showSaveDialog, for exports (main writes the file, never the renderer). */
  showSaveDialog?: ShowSaveDialog;
}

export interface CompanionRuntime {
  /** Loads saved settings and secrets and starts the proxy. Rejects only on a fatal start-up error;
   *  a proxy that cannot listen (port in use) is reported through status() as 'error' instead. */
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops the proxy (in-flight requests finish, bounded) and flushes stores. Idempotent. */
  close(): Promise<void>;
  /** Cheap, synchronous snapshot for the tray. */
  status(): TrayState;
  /** The tray opened ComfyUI through the proxy (a first-run step). */
  comfyOpened?(): void;
  /**
   * Everything pushed to the renderer on `companion:event`. The shell also re-reads status() after
   * each event, so any change the tray shows must be followed by some event (e.g. {type:'status'}).
   */
  subscribe(listener: (event: CompanionEvent) => void): () => void;
  /** The window is on screen until the returned function is called: live health every second meanwhile. */
  watchMonitor?(): () => void;
  readonly account: AccountLogout;
  /** One handler per IPC channel (main/api/companionApi.ts builds them). */
  readonly handlers: ContractHandlers;
}

export type CompanionRuntimeFactory = (env: RuntimeEnvironment) => CompanionRuntime | Promise<CompanionRuntime>;
