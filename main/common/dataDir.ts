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

/** The headless CLI's data dir without `--data-dir`: keys commands and the proxy then agree on one store. */
export const DATA_DIR_ENV = 'COMFY_COMPANION_DATA_DIR';

/** Which data dir a CLI command uses, and why (said on `keys create` / `keys list`, so a wrong store shows). */
export interface ChosenDataDir {
  dir: string;
  from: 'flag' | 'env' | 'default';
}

export function chooseDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ChosenDataDir {
  if (flag !== undefined && flag !== '') return { dir: flag, from: 'flag' };
  const fromEnv = env[DATA_DIR_ENV]?.trim();
  if (fromEnv) return { dir: fromEnv, from: 'env' };
  return { dir: defaultDataDir(env, platform), from: 'default' };
}
