// The proxy's Node flags (docs/performance.md, "Uploads"): `npm run headless` and the installed bin start Node
// with --initial-old-space-size=64, and `npm start` gives Electron's main process the same as --js-flags; without it
// a proxy that sat idle before a big upload can fall into back-to-back full GCs and spend about twice the CPU per GiB.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { electronArgs, shippedNodeFlags } from '../../scripts/nodeFlags.mjs';

const ROOT = new URL('../../', import.meta.url);

describe('the headless proxy’s Node flags', () => {
  it('are the same for npm run headless and the bin, and keep the old-generation floor', () => {
    const fromScript = shippedNodeFlags(ROOT.pathname);
    const shebang = readFileSync(new URL('bin/comfy-auth-companion.mjs', ROOT), 'utf8').split('\n')[0] ?? '';
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(shebang.slice('#!/usr/bin/env -S node '.length).split(' ')).toEqual(fromScript);
    expect(fromScript).toContain('--initial-old-space-size=64');
  });

  it('reach the desktop app’s main process too: npm start passes them to Electron as --js-flags', () => {
    const args = electronArgs(ROOT.pathname, ['--inspect']);
    expect(args).toEqual([`--js-flags=${shippedNodeFlags(ROOT.pathname).join(' ')}`, ROOT.pathname, '--inspect']);
    expect(readFileSync(new URL('scripts/start.mjs', ROOT), 'utf8')).toMatch(/spawn\(candidate, electronArgs\(root, /);
  });
});
