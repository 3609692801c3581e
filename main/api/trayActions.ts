// What each tray menu action does, as plain functions over injected services, so a click on
// "Log out ▸ Everything…" is testable without Electron (the adapter in tray.ts only routes clicks).
import type { TrayActionId } from './trayMenu';

/** The account service's log-out operations (main/account); each clears secrets and/or sessions. */
export interface AccountLogout {
  logoutBrowserSessions(): Promise<unknown>;
  logoutCloud(): Promise<unknown>;
  logoutEverything(): Promise<unknown>;
}

export interface TrayActionDeps {
  account: AccountLogout;
  pauseProxy(): Promise<void>;
  resumeProxy(): Promise<void>;
  /** Current proxy URL, or null when it is not listening. */
  proxyUrl(): string | null;
  openExternal(url: string): Promise<void>;
  /** ComfyUI was opened through the proxy (the first-run checklist's last step). */
  onComfyOpened?(): void;
  copyText(text: string): void;
  showCompanion(): void;
  /** Asks the user; resolves true only on an explicit yes. */
  confirm(question: { message: string; detail: string; confirmLabel: string }): Promise<boolean>;
  quit(): void;
  /** Reports a failed action (message only; never a secret). */
  onError(action: TrayActionId, err: unknown): void;
}

export type TrayDispatch = (action: TrayActionId) => Promise<void>;

export function createTrayActions(deps: TrayActionDeps): TrayDispatch {
  const run: Record<TrayActionId, () => Promise<void>> = {
    'open-comfyui': async () => {
      const url = deps.proxyUrl();
      if (!url) return;
      await deps.openExternal(url);
      deps.onComfyOpened?.();
    },
    'open-companion': async () => deps.showCompanion(),
    'copy-proxy-url': async () => {
      const url = deps.proxyUrl();
      if (url) deps.copyText(url);
    },
    'logout-browser-sessions': async () => {
      await deps.account.logoutBrowserSessions();
    },
    'logout-cloud': async () => {
      await deps.account.logoutCloud();
    },
    'logout-everything': async () => {
      const yes = await deps.confirm({
        message: 'Log out of everything?',
        detail: 'Every browser session is signed out and the stored secrets (Comfy Cloud key, upstream key) are cleared from this computer.',
        confirmLabel: 'Log out everything',
      });
      if (yes) await deps.account.logoutEverything();
    },
    'pause-proxy': () => deps.pauseProxy(),
    'resume-proxy': () => deps.resumeProxy(),
    quit: async () => deps.quit(),
  };
  return async (action) => {
    try {
      await run[action]();
    } catch (err) {
      deps.onError(action, err);
    }
  };
}
