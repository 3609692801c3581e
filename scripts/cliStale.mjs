// Is dist/cli.mjs older than its sources? Compares each input's size and mtime with the ones
// dist/cli.inputs.json recorded at build time (a few dozen stat calls, no hashing, no esbuild).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Why the bundle in `root` must be rebuilt, or null when it is up to date. */
export function cliStaleReason(root) {
  const bundle = join(root, 'dist', 'cli.mjs');
  const manifest = join(root, 'dist', 'cli.inputs.json');
  if (!existsSync(bundle) || !existsSync(manifest)) return 'not built yet';
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(manifest, 'utf8')).inputs;
  } catch {
    return 'its build manifest is unreadable';
  }
  for (const input of inputs) {
    try {
      const st = statSync(join(root, input.path));
      if (st.size !== input.size || st.mtimeMs !== input.mtimeMs) return `${input.path} changed`;
    } catch {
      return `${input.path} is gone`;
    }
  }
  return null;
}
