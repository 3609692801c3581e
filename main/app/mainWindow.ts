// The one main window: secure webPreferences, loads app://companion only, hides instead of
// closing (the app lives on in the tray) until the app is really quitting.
import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import { APP_ENTRY_URL } from './appProtocol';

export function mainWindowOptions(preloadPath: string, options: { devTools: boolean; icon?: string }): BrowserWindowConstructorOptions {
  return {
    width: 1180,
    height: 780,
    minWidth: 820,
    minHeight: 560,
    show: false,
    title: 'ComfyUI Auth Companion',
    backgroundColor: '#1b1b1f',
    autoHideMenuBar: true,
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: {
      preload: preloadPath,
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
      navigateOnDragDrop: false,
      safeDialogs: true,
      devTools: options.devTools,
    },
  };
}

export class MainWindow {
  #window: BrowserWindow | null = null;
  #quitting = false;
  readonly #options: BrowserWindowConstructorOptions;

  constructor(options: BrowserWindowConstructorOptions) {
    this.#options = options;
  }

  get window(): BrowserWindow | null {
    return this.#window && !this.#window.isDestroyed() ? this.#window : null;
  }

  /** Creates the window on first use; afterwards brings the existing one to the front. */
  show(): BrowserWindow {
    const existing = this.window;
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const win = new BrowserWindow(this.#options);
    this.#window = win;
    win.once('ready-to-show', () => {
      win.show();
      win.focus();
    });
    win.on('close', (event) => {
      if (this.#quitting) return;
      event.preventDefault();
      win.hide();
    });
    win.on('closed', () => {
      if (this.#window === win) this.#window = null;
    });
    void win.loadURL(APP_ENTRY_URL);
    return win;
  }

  /** From now on a close really closes (called when the app quits). */
  allowClose(): void {
    this.#quitting = true;
  }
}
