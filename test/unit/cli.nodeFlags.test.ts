// The headless proxy's Node flags (docs/performance.md, "Uploads"): `npm run headless` and the installed bin start
// Node the same way, with --initial-old-space-size=64, without which a proxy that sat idle before a big upload
// can fall into back-to-back full GCs and spend about twice the CPU per GiB.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shippedNodeFlags } from '../../bench/shippedNodeFlags';

const ROOT = new URL('../../', import.meta.url);

describe('the headless proxy’s Node flags', () => {
  it('are the same for npm run headless and the bin, and keep the old-generation floor', () => {
    const fromScript = shippedNodeFlags(ROOT.pathname);
    const shebang = readFileSync(new URL('bin/comfy-auth-companion.mjs', ROOT), 'utf8').split('\n')[0] ?? '';
    expect(shebang.startsWith('#!/usr/bin/env -S node ')).toBe(true);
    expect(shebang.slice('#!/usr/bin/env -S node '.length).split(' ')).toEqual(fromScript);
    expect(fromScript).toContain('--initial-old-space-size=64');
  });
});
