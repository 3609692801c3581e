// The one shared fake of the `electron` module: just enough state and events for main/app and the
// preload to run under vitest (`vi.mock('electron', () => import('../mocks/electron'))`).
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { clipboard, dialog, FakeEvent, Menu, nativeImage, Notification, safeStorage, shell, Tray } from './electronShell';

export { clipboard, dialog, FakeEvent, Menu, nativeImage, Notification, safeStorage, shell, Tray };
export type { FakeMenu } from './electronShell';

// app.getPath() answers under a folder of this test process's own: the composition root writes settings,
// keys and usage to userData, and a fixed path shared by every run on the machine (it used to be
// /tmp/fake-electron) let parallel runs read and corrupt each other's settings.json.
const FAKE_PATHS = mkdtempSync(join(tmpdir(), 'fake-electron-'));
process.once('exit', () => rmSync(FAKE_PATHS, { recursive: true, force: true }));

type PermissionRequestHandler = (
  wc: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl?: string },
) => void;
type PermissionCheckHandler = (wc: unknown, permission: string, origin: string, details: { requestingUrl?: string }) => boolean;

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;
  setPermissionRequestHandler = vi.fn((h: PermissionRequestHandler | null) => {
    this.permissionRequestHandler = h;
  });
  setPermissionCheckHandler = vi.fn((h: PermissionCheckHandler | null) => {
    this.permissionCheckHandler = h;
  });
  /** Asks the installed handler as Chromium would; resolves with its answer (true when none installed). */
  requestPermission(permission: string, requestingUrl: string): Promise<boolean> {
    const handler = this.permissionRequestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => handler(null, permission, resolve, { requestingUrl }));
  }
  checkPermission(permission: string, origin: string): boolean {
    return this.permissionCheckHandler ? this.permissionCheckHandler(null, permission, origin, { requestingUrl: origin }) : true;
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  url = '';
  destroyed = false;
  session: FakeSession = session.defaultSession;
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  /** Every message sent with `send(channel, ...args)`. */
  sent: Array<{ channel: string; args: unknown[] }> = [];
  setWindowOpenHandler = vi.fn((h: (details: { url: string }) => { action: 'allow' | 'deny' }) => {
    this.windowOpenHandler = h;
  });
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getType(): string {
    return 'window';
  }
  /** Simulates a navigation attempt; returns true when a listener denied it. */
  tryNavigate(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string): boolean {
    const ev = new FakeEvent({ url, isMainFrame: true });
    this.emit(event, ev, url);
    return ev.defaultPrevented;
  }
  /** Simulates window.open / target=_blank; returns the handler's answer ('allow' when none). */
  tryOpenWindow(url: string): 'allow' | 'deny' {
    return this.windowOpenHandler ? this.windowOpenHandler({ url }).action : 'allow';
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.destroyed);
  }
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  focused = false;
  destroyed = false;
  loadedUrl: string | null = null;
  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    BrowserWindow.instances.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
    if (options['show'] !== false) this.visible = true;
    app.emit('browser-window-created', new FakeEvent(), this);
  }
  loadURL = vi.fn(async (url: string) => {
    this.loadedUrl = url;
    this.webContents.url = url;
  });
  show = vi.fn(() => {
    this.visible = true;
    this.emit('show');
  });
  hide = vi.fn(() => {
    this.visible = false;
    this.focused = false;
    this.emit('hide');
  });
  focus = vi.fn(() => {
    this.focused = true;
  });
  restore = vi.fn(() => {
    this.minimized = false;
    this.emit('restore');
  });
  minimize(): void {
    this.minimized = true;
    this.emit('minimize');
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Like the user clicking the close button: listeners may veto with preventDefault. */
  close(): void {
    const ev = new FakeEvent();
    this.emit('close', ev);
    if (!ev.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.visible = false;
    this.emit('closed');
  }
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  singleInstanceLock = true;
  quitCalls = 0;
  exitCode: number | null = null;
  private readyResolve!: () => void;
  private ready = new Promise<void>((r) => (this.readyResolve = r));
  requestSingleInstanceLock = vi.fn(() => this.singleInstanceLock);
  enableSandbox = vi.fn();
  loginItem: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] } = { openAtLogin: false };
  setLoginItemSettings = vi.fn((settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }) => {
    this.loginItem = { ...settings };
  });
  setAppUserModelId = vi.fn();
  getVersion(): string {
    return '0.1.0-test';
  }
  getName(): string {
    return 'ComfyUI Auth Companion';
  }
  getPath(name: string): string {
    return join(FAKE_PATHS, name);
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** Test helper: fires 'ready'. */
  makeReady(): void {
    this.readyResolve();
    this.emit('ready');
  }
  /** Electron's quit: emits before-quit (vetoable), then closes windows and emits will-quit/quit. */
  quit = vi.fn(() => {
    this.quitCalls++;
    const ev = new FakeEvent();
    this.emit('before-quit', ev);
    if (ev.defaultPrevented) return;
    for (const w of BrowserWindow.getAllWindows()) w.close();
    this.emit('will-quit', new FakeEvent());
    this.emit('quit', new FakeEvent(), 0);
  });
  exit = vi.fn((code = 0) => {
    this.exitCode = code;
  });
  reset(): void {
    this.removeAllListeners();
    this.isPackaged = false;
    this.singleInstanceLock = true;
    this.quitCalls = 0;
    this.exitCode = null;
    this.loginItem = { openAtLogin: false };
    this.ready = new Promise<void>((r) => (this.readyResolve = r));
  }
}

export const app = new FakeApp();

export const session = { defaultSession: new FakeSession() };

type IpcHandler = (event: unknown, ...args: unknown[]) => unknown;

class FakeIpcMain extends EventEmitter {
  handlers = new Map<string, IpcHandler>();
  handle = vi.fn((channel: string, fn: IpcHandler) => {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  });
  removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel);
  });
  /** Test helper: calls a registered handler as a renderer's invoke would. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const fn = this.handlers.get(channel);
    if (!fn) throw new Error(`No handler registered for '${channel}'`);
    return fn(event, ...args);
  }
}
export const ipcMain = new FakeIpcMain();

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  registerSchemesAsPrivileged: vi.fn((schemes: unknown[]) => {
    protocol.privileged.push(...schemes);
  }),
  handle: vi.fn((scheme: string, fn: (request: Request) => Response | Promise<Response>) => {
    protocol.handlers.set(scheme, fn);
  }),
  unhandle: vi.fn((scheme: string) => {
    protocol.handlers.delete(scheme);
  }),
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    contextBridge.exposed.set(key, api);
  }),
};

class FakeIpcRenderer extends EventEmitter {
  /** What `invoke` answers; tests replace it. */
  responder: (channel: string, ...args: unknown[]) => unknown = () => ({ ok: true, value: undefined });
  invoke = vi.fn(async (channel: string, ...args: unknown[]) => this.responder(channel, ...args));
  send = vi.fn();
}
export const ipcRenderer = new FakeIpcRenderer();

/** Puts every fake back to its initial state; call in beforeEach. */
export function resetElectronMock(): void {
  app.reset();
  BrowserWindow.instances = [];
  Tray.instances = [];
  Notification.instances = [];
  Notification.supported = true;
  session.defaultSession = new FakeSession();
  ipcMain.handlers.clear();
  ipcMain.removeAllListeners();
  protocol.privileged = [];
  protocol.handlers.clear();
  clipboard.text = '';
  dialog.nextResponse = 0;
  dialog.nextSavePath = null;
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  contextBridge.exposed.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.responder = () => ({ ok: true, value: undefined });
  vi.clearAllMocks();
}

export default {
  app,
  BrowserWindow,
  session,
  ipcMain,
  protocol,
  shell,
  clipboard,
  dialog,
  nativeImage,
  Menu,
  Tray,
  Notification,
  safeStorage,
  contextBridge,
  ipcRenderer,
};
