// The desktop-shell parts of the fake `electron` module (shell, clipboard, dialog, images, menus, tray,
// notifications, safeStorage): split from electron.ts, which re-exports them.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** An Electron-style event: `preventDefault()` records that the listener vetoed the action. */
export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly extra: Record<string, unknown> = {}) {
    Object.assign(this, extra);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export const shell = {
  openExternal: vi.fn(async (_url: string) => undefined),
};

export const clipboard = {
  text: '',
  writeText: vi.fn((text: string) => {
    clipboard.text = text;
  }),
};

export const dialog = {
  /** The button index the next message boxes answer with. */
  nextResponse: 0,
  showMessageBox: vi.fn(async (..._args: unknown[]) => ({ response: dialog.nextResponse, checkboxChecked: false })),
  /** Where the next save dialog "saves" (null: the user cancels). */
  nextSavePath: null as string | null,
  showSaveDialog: vi.fn(async (..._args: unknown[]) => ({ canceled: dialog.nextSavePath === null, filePath: dialog.nextSavePath ?? undefined })),
};

export const nativeImage = {
  createFromPath: vi.fn((path: string) => ({
    path,
    template: false,
    setTemplateImage(flag: boolean) {
      this.template = flag;
    },
    isEmpty: () => false,
  })),
  createEmpty: vi.fn(() => ({ path: '', isEmpty: () => true })),
};

export interface FakeMenu {
  template: unknown[];
}
export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]): FakeMenu => ({ template })),
  setApplicationMenu: vi.fn(),
};

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  menu: FakeMenu | null = null;
  tooltip = '';
  image: unknown;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.instances.push(this);
  }
  setContextMenu = vi.fn((menu: FakeMenu | null) => {
    this.menu = menu;
  });
  setToolTip = vi.fn((text: string) => {
    this.tooltip = text;
  });
  setImage = vi.fn((image: unknown) => {
    this.image = image;
  });
  destroy = vi.fn(() => {
    this.destroyed = true;
  });
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

/** Electron's Notification: records every one made; `show()` marks it shown. */
export class Notification extends EventEmitter {
  static instances: Notification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return Notification.supported;
  }
  shown = false;
  constructor(readonly options: { title?: string; body?: string; icon?: string; silent?: boolean } = {}) {
    super();
    Notification.instances.push(this);
  }
  get title(): string {
    return this.options.title ?? '';
  }
  get body(): string {
    return this.options.body ?? '';
  }
  show = vi.fn(() => {
    this.shown = true;
  });
  close = vi.fn();
  /** Test helper: the user clicks it. */
  click(): void {
    this.emit('click', new FakeEvent());
  }
}

export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable: vi.fn(() => safeStorage.available),
  getSelectedStorageBackend: vi.fn(() => safeStorage.backend),
  // Reversible stand-in for OS encryption; only the shape matters to callers.
  encryptString: vi.fn((text: string) => Buffer.from(`enc:${Buffer.from(text, 'utf8').toString('base64')}`)),
  decryptString: vi.fn((buf: Buffer) => Buffer.from(buf.toString().replace(/^enc:/, ''), 'base64').toString('utf8')),
};

// Renderer-side modules, used by the preload.
