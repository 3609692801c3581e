// App lifecycle: single instance, app:// protocol, security, window, tray and IPC around a
// CompanionRuntime. Quit stops the proxy and flushes data before the process exits.
import path from 'node:path';
import { app, clipboard, dialog, ipcMain, protocol, safeStorage, session, shell } from 'electron';
import ElectronStore from 'electron-store';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './appProtocol';
import { createIpcBridge, type IpcBridge } from './ipc';
import { MainWindow, mainWindowOptions } from './mainWindow';
import { applyStartAtLogin, HIDDEN_ARG } from './loginItem';
import { createElectronNotifier } from './notifications';
import type { CompanionRuntime, CompanionRuntimeFactory } from '../api/runtime';
import { hardenSession, installSecurity } from './security';
import { createTray, type TrayController } from './tray';
import { watchWhileVisible } from './watchWhileVisible';
import { createTrayActions } from '../api/trayActions';
import type { BackingStoreClass } from '../settings/settingsStore';

export interface AppPaths {
  /** dist/renderer: the only folder app:// serves. */
  rendererDir: string;
  /** dist/electron/preload.cjs */
  preloadPath: string;
  /** Folder with the tray-*.png icons. */
  trayIconDir: string;
  /** Window icon (Linux/Windows); optional. */
  windowIcon?: string;
}

export interface DesktopAppOptions {
  paths: AppPaths;
  createRuntime: CompanionRuntimeFactory;
  /** Upper bound for runtime.close() at quit, so a stuck service cannot keep the app alive. */
  closeTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface DesktopApp {
  runtime: CompanionRuntime;
  mainWindow: MainWindow;
  tray: TrayController;
  ipc: IpcBridge;
}

function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Must be called before `ready` (scheme privileges can only be registered then). Resolves with
 * null when another instance already runs: that one is told to show itself and this one quits.
 */
export async function startDesktopApp(options: DesktopAppOptions): Promise<DesktopApp | null> {
  const log = options.log ?? ((m: string) => console.log(`[companion] ${m}`));
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  const mainWindow = new MainWindow(mainWindowOptions(options.paths.preloadPath, { devTools: !app.isPackaged, ...(options.paths.windowIcon ? { icon: options.paths.windowIcon } : {}) }));
  let runtime: CompanionRuntime | null = null;

  app.on('second-instance', () => {
    mainWindow.show();
  });

  const openExternal = (url: string) => shell.openExternal(url);
  installSecurity(app, {
    openExternal,
    extraExternal: () => {
      const url = runtime?.status().proxyUrl;
      return url ? [new URL('/', url).href] : [];
    },
    onBlocked: (what, url) => log(`blocked ${what}${url ? ` to ${url}` : ''}`),
  });

  // Health is sampled every second only while a window is on screen; in the tray the monitor backs off.
  app.on('browser-window-created', (_event, win) => watchWhileVisible(win, () => runtime?.watchMonitor?.() ?? null));

  // The window hides instead of closing, but keep the app alive even if every window goes.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  hardenSession(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppProtocolHandler(options.paths.rendererDir));

  runtime = await options.createRuntime({
    dataDir: app.getPath('userData'),
    appVersion: app.getVersion(),
    safeStorage,
    // ElectronStore's constructor accepts the settings store's option bag; its types are stricter
    // about the generic than the structural BackingStoreClass, hence the cast.
    StoreClass: ElectronStore as unknown as BackingStoreClass,
    openExternal,
    quit: () => app.quit(),
    setStartAtLogin: (on) =>
      applyStartAtLogin(on, {
        platform: process.platform,
        setLoginItemSettings: (s) => app.setLoginItemSettings(s),
        executable: process.env.APPIMAGE ?? process.execPath,
      }),
    notify: createElectronNotifier({ onClick: () => mainWindow.show(), ...(options.paths.windowIcon ? { icon: options.paths.windowIcon } : {}) }),
    showSaveDialog: (o) => (mainWindow.window ? dialog.showSaveDialog(mainWindow.window, o) : dialog.showSaveDialog(o)),
  });
  const rt = runtime;

  const ipc = createIpcBridge({
    ipcMain,
    trustedContents: () => mainWindow.window?.webContents ?? null,
    onRejected: (channel, reason) => log(`refused IPC ${channel} (${reason})`),
  });
  ipc.registerAll(rt.handlers);

  const tray = createTray({
    iconDir: options.paths.trayIconDir,
    initial: rt.status(),
    onClick: () => mainWindow.show(),
    dispatch: createTrayActions({
      account: rt.account,
      pauseProxy: () => rt.pause(),
      resumeProxy: () => rt.resume(),
      proxyUrl: () => rt.status().proxyUrl,
      openExternal,
      onComfyOpened: () => rt.comfyOpened?.(),
      copyText: (text) => clipboard.writeText(text),
      showCompanion: () => mainWindow.show(),
      confirm: async ({ message, detail, confirmLabel }) => {
        const win = mainWindow.window;
        const box = { type: 'warning' as const, buttons: ['Cancel', confirmLabel], defaultId: 0, cancelId: 0, message, detail, noLink: true };
        const { response } = win ? await dialog.showMessageBox(win, box) : await dialog.showMessageBox(box);
        return response === 1;
      },
      quit: () => app.quit(),
      onError: (action, err) => {
        const message = err instanceof Error ? err.message : String(err);
        log(`tray action ${action} failed: ${message}`);
        void dialog.showMessageBox({ type: 'error', message: 'That did not work', detail: message });
      },
    }),
  });

  // Events go to the renderer as they are; the tray re-reads the status and rebuilds only when it changed.
  let lastTray = JSON.stringify(rt.status());
  const refreshTray = () => {
    const next = rt.status();
    const text = JSON.stringify(next);
    if (text === lastTray) return;
    lastTray = text;
    tray.update(next);
  };
  const unsubscribe = rt.subscribe((event) => {
    ipc.push(event);
    refreshTray();
  });

  let phase: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    mainWindow.allowClose();
    if (phase === 'closed') return;
    event.preventDefault();
    if (phase === 'closing') return;
    phase = 'closing';
    log('quitting: stopping the proxy and flushing data');
    void withTimeout(rt.close(), options.closeTimeoutMs ?? 8000)
      .catch((err: unknown) => log(`close failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        phase = 'closed';
        unsubscribe();
        ipc.dispose();
        tray.destroy();
        app.quit();
      });
  });

  app.on('activate', () => mainWindow.show());

  // Started at sign-in: stay in the tray until the user opens the window.
  if (!process.argv.includes(HIDDEN_ARG)) mainWindow.show();
  try {
    await rt.start();
  } catch (err) {
    log(`the proxy did not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  refreshTray();
  return { runtime: rt, mainWindow, tray, ipc };
}

/** Paths as laid out by scripts/build.mjs, relative to the bundled main.cjs. */
export function defaultAppPaths(mainDir: string): AppPaths {
  return {
    rendererDir: path.join(mainDir, '..', 'renderer'),
    preloadPath: path.join(mainDir, 'preload.cjs'),
    trayIconDir: path.join(mainDir, 'tray'),
    windowIcon: path.join(mainDir, 'icon.png'),
  };
}
