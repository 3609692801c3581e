// The launcher's freshness check: dist/cli.mjs is rebuilt when it is missing or any recorded input
// changed size or mtime or disappeared, and not otherwise.
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliStaleReason } from '../../scripts/cliStale.mjs';

const root = mkdtempSync(join(tmpdir(), 'cli-stale-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function record(...files: string[]): void {
  const inputs = files.map((path) => {
    const st = statSync(join(root, path));
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  });
  writeFileSync(join(root, 'dist', 'cli.inputs.json'), JSON.stringify({ inputs }));
}

describe('cliStaleReason', () => {
  it('follows the recorded inputs', () => {
    expect(cliStaleReason(root)).toBe('not built yet');
    mkdirSync(join(root, 'dist'));
    mkdirSync(join(root, 'main'));
    writeFileSync(join(root, 'dist', 'cli.mjs'), '// bundle');
    writeFileSync(join(root, 'main', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(root, 'main', 'b.ts'), 'export const b = 1;');
    expect(cliStaleReason(root)).toBe('not built yet'); // no manifest
    record('main/a.ts', 'main/b.ts');
    expect(cliStaleReason(root)).toBeNull();

    writeFileSync(join(root, 'main', 'b.ts'), 'export const b = 22;'); // size differs
    expect(cliStaleReason(root)).toBe('main/b.ts changed');
    record('main/a.ts', 'main/b.ts');
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, 'main', 'a.ts'), old, old); // same size, an older file restored
    expect(cliStaleReason(root)).toBe('main/a.ts changed');
    record('main/a.ts', 'main/b.ts');
    rmSync(join(root, 'main', 'b.ts'));
    expect(cliStaleReason(root)).toBe('main/b.ts is gone');
    writeFileSync(join(root, 'dist', 'cli.inputs.json'), '{');
    expect(cliStaleReason(root)).toBe('its build manifest is unreadable');
  });
});
