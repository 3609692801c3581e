// The `keys` CLI as the tests run it: in process, on a data dir, with a fixed clock, output collected; and
// throwaway data dirs removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { runKeysCommand } from '../../main/cli/keysCli';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** A runner of `keys …` commands on a data dir at a fixed time. */
export function keysCli(nowMs: number): (dataDir: string, ...argv: string[]) => Promise<CliRun> {
  return async (dataDir, ...argv) => {
    let out = '';
    let err = '';
    const code = await runKeysCommand(argv, { dataDir, stdout: (s) => (out += s), stderr: (s) => (err += s), now: () => nowMs });
    return { code, out, err };
  };
}

/** Fresh data dirs for one test file, removed after each test. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
