// The desktop shell's lifecycle: single instance, secure window, hide-to-tray, quit that stops the
// proxy, and runtime events reaching both the renderer and the tray.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CompanionEvent, ContractHandlers } from '../../preload/contract';
import { INVOKE_CHANNELS, EVENT_CHANNEL } from '../../preload/contract';
import type { CompanionRuntime } from '../../main/api/runtime';
import type { TrayState } from '../../main/api/trayMenu';

vi.mock('electron', () => import('../mocks/electron'));
// electron-store would load the real electron package (and try to download its binary).
vi.mock('electron-store', () => ({ default: class FakeElectronStore {} }));

const electron = await import('../mocks/electron');
const { startDesktopApp } = await import('../../main/app/desktopApp');
const { mainWindowOptions } = await import('../../main/app/mainWindow');

const paths = { rendererDir: '/app/dist/renderer', preloadPath: '/app/dist/electron/preload.cjs', trayIconDir: '/app/dist/electron/tray' };

function fakeRuntime() {
  let state: TrayState = {
    proxy: 'stopped',
    proxyUrl: null,
    upstream: { url: 'http://127.0.0.1:8188', reachable: null, latencyMs: null },
    cloud: { loggedIn: false, hint: null },
    sessions: 0,
    keys: 0,
  };
  const listeners = new Set<(e: CompanionEvent) => void>();
  let releaseClose: () => void = () => undefined;
  const runtime = {
    start: vi.fn(async () => {
      state = { ...state, proxy: 'running', proxyUrl: 'http://127.0.0.1:8189' };
    }),
    pause: vi.fn(async () => undefined),
    resume: vi.fn(async () => undefined),
    close: vi.fn(() => new Promise<void>((resolve) => (releaseClose = resolve))),
    status: () => state,
    subscribe: (l: (e: CompanionEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    account: { logoutBrowserSessions: vi.fn(async () => 0), logoutCloud: vi.fn(async () => 0), logoutEverything: vi.fn(async () => 0) },
    handlers: Object.fromEntries(INVOKE_CHANNELS.map((c) => [c, vi.fn(async () => ({ channel: c }))])) as unknown as ContractHandlers,
  } satisfies CompanionRuntime;
  return {
    runtime,
    setState: (s: Partial<TrayState>) => (state = { ...state, ...s }),
    emit: (e: CompanionEvent) => listeners.forEach((l) => l(e)),
    finishClose: () => releaseClose(),
  };
}

async function launch(fake = fakeRuntime()) {
  const started = startDesktopApp({ paths, createRuntime: () => fake.runtime, log: () => undefined });
  electron.app.makeReady();
  const shell = await started;
  return { shell: shell!, fake, window: electron.BrowserWindow.instances[0]! };
}

beforeEach(() => electron.resetElectronMock());

describe('window', () => {
  it('uses every webPreferences switch of the security checklist', () => {
    const prefs = mainWindowOptions('/p/preload.cjs', { devTools: false }).webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      devTools: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('loads the renderer from app://companion, never a remote or file URL', async () => {
    const { window } = await launch();
    expect(window.loadedUrl).toBe('app://companion/index.html');
    expect((window.options['webPreferences'] as { sandbox: boolean }).sandbox).toBe(true);
    expect(electron.protocol.privileged).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    expect(electron.protocol.handlers.has('app')).toBe(true);
    expect(electron.app.enableSandbox).toHaveBeenCalled();
  });

  it('closing the window hides it and keeps the app running in the tray', async () => {
    const { window } = await launch();
    window.show();
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.isVisible()).toBe(false);
    expect(electron.app.quit).not.toHaveBeenCalled();
    expect(electron.Tray.instances).toHaveLength(1);
  });

  it('the window created by the app navigates nowhere but the app', async () => {
    const { window } = await launch();
    expect(window.webContents.tryNavigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(window.webContents.tryOpenWindow('https://platform.comfy.org/login')).toBe('deny');
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://platform.comfy.org/login');
  });
});

describe('single instance', () => {
  it('a second launch brings the first window back instead of opening another', async () => {
    const { window } = await launch();
    window.close(); // hidden in the tray
    window.minimize();
    electron.app.emit('second-instance', new electron.FakeEvent(), [], '/');
    expect(window.isVisible()).toBe(true);
    expect(window.isMinimized()).toBe(false);
    expect(window.focus).toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(1);
  });

  it('a launch that does not get the lock quits without creating anything', async () => {
    electron.app.singleInstanceLock = false;
    const fake = fakeRuntime();
    const result = await startDesktopApp({ paths, createRuntime: () => fake.runtime, log: () => undefined });
    expect(result).toBeNull();
    expect(electron.app.quit).toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
    expect(fake.runtime.start).not.toHaveBeenCalled();
  });
});

describe('runtime wiring', () => {
  it('starts the proxy with the app and shows it in the tray', async () => {
    const { fake } = await launch();
    expect(fake.runtime.start).toHaveBeenCalledOnce();
    const tray = electron.Tray.instances[0]!;
    expect(tray.tooltip).toContain('http://127.0.0.1:8189');
  });

  it('registers every IPC channel, answering only the app window', async () => {
    const { window } = await launch();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
    const ok = await electron.ipcMain.invoke('status:get', { sender: window.webContents, senderFrame: { url: 'app://companion/index.html', parent: null } });
    expect(ok).toEqual({ ok: true, value: { channel: 'status:get' } });
  });

  it('tells the runtime while the window is on screen, so the monitor samples every second only then', async () => {
    const fake = fakeRuntime();
    const stops: ReturnType<typeof vi.fn>[] = [];
    const watchMonitor = vi.fn(() => {
      const stop = vi.fn();
      stops.push(stop);
      return stop;
    });
    const { window } = await launch({ ...fake, runtime: Object.assign(fake.runtime, { watchMonitor }) });
    window.show();
    expect(watchMonitor).toHaveBeenCalledTimes(1);
    window.minimize();
    expect(stops[0]).toHaveBeenCalledOnce();
    window.restore();
    expect(watchMonitor).toHaveBeenCalledTimes(2);
    window.close(); // hides to the tray
    expect(window.isVisible()).toBe(false);
    expect(stops[1]).toHaveBeenCalledOnce();
    expect(watchMonitor).toHaveBeenCalledTimes(2);
  });

  it('runtime events reach the window and a status change rebuilds the tray', async () => {
    const { window, fake } = await launch();
    const tray = electron.Tray.instances[0]!;
    const builds = electron.Menu.buildFromTemplate.mock.calls.length;
    fake.emit({ type: 'keys:changed', keyIds: ['a'] });
    expect(window.webContents.sent.at(-1)).toEqual({ channel: EVENT_CHANNEL, args: [{ type: 'keys:changed', keyIds: ['a'] }] });
    expect(electron.Menu.buildFromTemplate.mock.calls.length).toBe(builds); // nothing the tray shows changed
    fake.setState({ upstream: { url: 'http://127.0.0.1:8188', reachable: false, latencyMs: null } });
    fake.emit({ type: 'cloud:retry', attempt: 1, delayMs: 10 });
    expect(tray.tooltip).toContain('upstream unreachable');
  });
});

describe('quit', () => {
  it('Quit stops the proxy and flushes before the app exits, exactly once', async () => {
    const { fake, window } = await launch();
    electron.app.quit();
    electron.app.quit(); // a second click while closing changes nothing
    expect(fake.runtime.close).toHaveBeenCalledOnce();
    expect(window.isDestroyed()).toBe(false); // still waiting for close()
    fake.finishClose();
    await vi.waitFor(() => expect(window.isDestroyed()).toBe(true), { timeout: 15_000, interval: 20 });
    expect(electron.Tray.instances[0]!.destroyed).toBe(true);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});
