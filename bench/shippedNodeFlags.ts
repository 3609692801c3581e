// The Node flags a checkout's headless proxy is started with (its package.json `headless` script, e.g.
// `exec node --initial-old-space-size=64 bin/comfy-auth-companion.mjs`): the bench runs each measured
// checkout's proxy with that checkout's own flags, so a before/after pair compares them as each shipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function shippedNodeFlags(root: string): string[] {
  try {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    const words = (scripts.headless ?? '').split(/\s+/);
    const node = words.indexOf('node');
    if (node < 0) return [];
    const flags: string[] = [];
    for (const w of words.slice(node + 1)) {
      if (!w.startsWith('--')) break;
      flags.push(w);
    }
    return flags;
  } catch {
    return [];
  }
}
