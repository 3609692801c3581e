// "Start at sign-in": macOS and Windows through Electron's login items (started hidden, to the tray);
// Linux through an XDG autostart entry (~/.config/autostart), which Electron does not manage there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from '../common/atomicFile';

/** The argument a sign-in launch carries, so the app starts in the tray without showing its window. */
export const HIDDEN_ARG = '--hidden';
export const AUTOSTART_FILE = 'comfyui-auth-companion.desktop';

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  /** Electron's app.setLoginItemSettings (macOS, Windows). */
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
  /** What to run at sign-in on Linux: the AppImage when packaged as one, else the Electron binary. */
  executable: string;
  /** $XDG_CONFIG_HOME, or ~/.config. */
  configHome?: string;
}

/** The XDG desktop entry that starts the app at sign-in (quoted per the Desktop Entry spec). */
export function autostartEntry(executable: string): string {
  const quoted = `"${executable.replace(/(["`$\\])/g, '\\$1')}"`;
  return ['[Desktop Entry]', 'Type=Application', 'Name=ComfyUI Auth Companion', `Exec=${quoted} ${HIDDEN_ARG}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n');
}

export function applyStartAtLogin(on: boolean, deps: LoginItemDeps): void {
  if (deps.platform !== 'linux') {
    deps.setLoginItemSettings({ openAtLogin: on, openAsHidden: true, args: [HIDDEN_ARG] });
    return;
  }
  const dir = path.join(deps.configHome ?? process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'autostart');
  const file = path.join(dir, AUTOSTART_FILE);
  if (on) {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(file, autostartEntry(deps.executable), 0o644);
  } else {
    fs.rmSync(file, { force: true });
  }
}
