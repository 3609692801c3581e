// A key's share of the GPU from the command line (SPEC §12, issue 20): `--share` on create and update, the
// SHARE column of `keys list` and `share` in --json, the change in the audit log, errors in words, and key
// stores from before the field (every key weighs 1).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../../main/cli/keysCli';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'keys-share-'));
  dirs.push(d);
  return d;
}
async function cli(dataDir: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKeysCommand(argv, { dataDir, stdout: (s) => (out += s), stderr: (s) => (err += s), now: () => Date.UTC(2026, 11, 6) });
  return { code, out, err };
}
const idOf = (out: string) => /\(id ([A-Za-z0-9_-]{22}),/.exec(out)?.[1] ?? '';

describe('keys create / update / list and the GPU share', () => {
  it('creates with --share, changes it with update, lists it, and the audit log has the change', async () => {
    const dir = tempDir();
    const made = await cli(dir, 'create', '--name', 'studio', '--share', '2');
    expect(made.code, made.err).toBe(0);
    expect(made.out).toContain('GPU share 2');
    const id = idOf(made.out);
    expect((await cli(dir, 'create', '--name', 'script')).out).toContain('GPU share 1');

    let listed = await cli(dir, 'list');
    expect(listed.out.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+RATE\/H\s+CLOUD\s+SHARE\s+LAST USED\s+EXPIRES\s+SCOPES$/);
    expect(listed.out).toMatch(/studio\s+active\s+100\s+no\s+2\s+never/);
    expect(listed.out).toMatch(/script\s+active\s+100\s+no\s+1\s+never/);

    const updated = await cli(dir, 'update', id, '--share', '0.5');
    expect(updated.code, updated.err).toBe(0);
    expect(updated.out).toContain('GPU share 0.5');
    listed = await cli(dir, 'list');
    expect(listed.out).toMatch(/studio\s+active\s+100\s+no\s+0\.5\s+never/);
    const json = JSON.parse((await cli(dir, 'list', '--json')).out) as { keys: { name: string; share: number }[] };
    expect(json.keys.map((k) => [k.name, k.share])).toEqual([['studio', 0.5], ['script', 1]]);

    const audit = JSON.parse((await cli(dir, 'audit', '--json')).out) as { entries: { event: string; details: Record<string, unknown> }[] };
    expect(audit.entries.filter((e) => e.event === 'key.edited').map((e) => e.details)).toEqual([expect.objectContaining({ share: 0.5 })]);
  });

  it('refuses a share it cannot use, saying what it takes, and changes nothing', async () => {
    const dir = tempDir();
    for (const bad of ['0', '-1', 'two', '1.234', '101', '0.05']) {
      const r = await cli(dir, 'create', '--name', 'x', `--share=${bad}`);
      expect(r.code, bad).toBe(2);
      expect(r.err).toContain('--share takes a number from 0.1 to 100');
    }
    const made = await cli(dir, 'create', '--name', 'ok');
    const r = await cli(dir, 'update', idOf(made.out), '--share', '1000');
    expect(r.code).toBe(2);
    expect(JSON.parse((await cli(dir, 'list', '--json')).out).keys).toMatchObject([{ name: 'ok', share: 1 }]);
  });

  it('keys from before the share (keys.json without it) weigh 1', async () => {
    const dir = tempDir();
    await cli(dir, 'create', '--name', 'old friend');
    const path = join(dir, 'keys.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { version: number; keys: Record<string, unknown>[] };
    for (const k of file.keys) delete k.share;
    writeFileSync(path, JSON.stringify(file));
    const listed = await cli(dir, 'list');
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toMatch(/old friend\s+active\s+100\s+no\s+1\s+never/);
  });
});
