// How the user started the CLI, so hints repeat a command they can paste: `npm run headless --`
// from a checkout, `comfy-auth-companion` for the installed bin, `node dist/cli.mjs` when run directly.
import { basename, isAbsolute, relative } from 'node:path';

export const BIN_NAME = 'comfy-auth-companion';

export function invocationOf(env: NodeJS.ProcessEnv = process.env, script: string | undefined = process.argv[1], cwd = process.cwd()): string {
  if (env.npm_lifecycle_event === 'headless') return 'npm run headless --';
  if (!script) return BIN_NAME;
  const name = basename(script);
  if (name.startsWith(BIN_NAME)) return BIN_NAME;
  if (/^cli\.(?:mjs|js|ts)$/.test(name)) {
    const shown = isAbsolute(script) ? relative(cwd, script) : script;
    return `node ${shown.startsWith('..') || shown === '' ? script : shown}`;
  }
  return BIN_NAME;
}
