// The per-user data folder shared by the desktop app and the headless CLI, so both see one key store.
// Mirrors Electron's app.getPath('userData') for this product's name on each platform.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'ComfyUI Auth Companion';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
}
