// The Node/V8 flags the proxy ships with, read from one place: package.json's `headless` script
// (`exec node --initial-old-space-size=64 bin/comfy-auth-companion.mjs`). The bin's first line repeats them
// and so does the Linux desktop entry in build/electron-builder.yml (neither can read files; tests keep them
// equal: cli.nodeFlags, app.packaging), `npm start` hands them to Electron's main process as --js-flags, and the
// bench starts each measured checkout's proxy with its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The `--…` words right after `node` in `root`'s package.json `headless` script; [] when there are none. */
export function shippedNodeFlags(root) {
  try {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};
    const words = String(scripts.headless ?? '').split(/\s+/);
    const node = words.indexOf('node');
    if (node < 0) return [];
    const flags = [];
    for (const w of words.slice(node + 1)) {
      if (!w.startsWith('--')) break;
      flags.push(w);
    }
    return flags;
  } catch {
    return [];
  }
}

/**
 * Electron's command line for the app at `root`. Electron's main process (where the proxy runs) takes V8
 * flags only as --js-flags on its command line (app.commandLine.appendSwitch reaches renderers only).
 */
export function electronArgs(root, extra) {
  const flags = shippedNodeFlags(root);
  return [...(flags.length ? [`--js-flags=${flags.join(' ')}`] : []), root, ...extra];
}
