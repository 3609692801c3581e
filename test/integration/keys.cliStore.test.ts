// The keys CLI as the sharing guide uses it (issue 25): `keys revoke bob` / `keys rotate bob` by a unique name,
// a clear error when a name is ambiguous, hints that repeat the --data-dir given, the data dir taken from
// COMFY_COMPANION_DATA_DIR, and `keys create` / `keys list` saying which store they used.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/cli';
import { chooseDataDir } from '../../main/common/dataDir';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cac-cli-store-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The CLI's entry as `npm run headless -- keys …` runs it, with this environment. */
async function cli(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['keys', ...argv], { out: (s) => (out += s), err: (s) => (err += s), invocation: 'npm run headless --' }, env);
  return { code, out, err };
}
const idOf = (out: string) => /\(id ([A-Za-z0-9_-]{22})/.exec(out)?.[1] ?? '';

describe('keys revoke / rotate by name', () => {
  it('a unique name works like its id; the printed hint repeats the --data-dir given', async () => {
    const dir = tempDir();
    const env = { HOME: tempDir() };
    const bob = idOf((await cli(env, 'create', '--data-dir', dir, '--name', 'bob')).out);
    const rotated = await cli(env, 'rotate', 'bob', '--data-dir', dir);
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out).toContain(`Rotated access key "bob" (id ${bob}).`);
    const revoked = await cli(env, 'revoke', 'bob', '--data-dir', dir);
    expect(revoked.code, revoked.err).toBe(0);
    expect(revoked.out).toBe(`Revoked access key "bob" (id ${bob}). Requests with it are refused from now on.\n`);
    // Revoked keys no longer answer to their name.
    const again = await cli(env, 'revoke', 'bob', '--data-dir', dir);
    expect(again.code).toBe(1);
    expect(again.err).toBe(
      `comfy-auth-companion: No access key has the id or name "bob". The ID and NAME columns of "npm run headless -- keys list --data-dir ${dir}" show them.\n`,
    );
    const spaced = join(tempDir(), 'my keys');
    const quoted = await cli(env, 'revoke', 'nobody', `--data-dir=${spaced}`);
    expect(quoted.err).toContain(`"npm run headless -- keys list --data-dir '${spaced}'"`);
  });

  it('an ambiguous name is refused with the ids to choose from, and nothing changes', async () => {
    const dir = tempDir();
    const env = { HOME: tempDir() };
    const first = idOf((await cli(env, 'create', '--data-dir', dir, '--name', 'shared')).out);
    const second = idOf((await cli(env, 'create', '--data-dir', dir, '--name', 'shared')).out);
    const res = await cli(env, 'revoke', 'shared', '--data-dir', dir);
    expect(res.code).toBe(1);
    expect(res.err).toBe(`comfy-auth-companion: 2 access keys are named "shared": ${first} (active), ${second} (active). Give the id of the one you mean.\n`);
    const list = await cli(env, 'list', '--data-dir', dir);
    expect(list.out.match(/\bactive\b/g)).toHaveLength(2);
    expect((await cli(env, 'revoke', first, '--data-dir', dir)).code).toBe(0);
    // Now only one "shared" is not revoked: the name is unique again.
    expect((await cli(env, 'revoke', 'shared', '--data-dir', dir)).out).toContain(`(id ${second})`);
  });
});

describe('which key store', () => {
  it('COMFY_COMPANION_DATA_DIR is used without --data-dir, and create and list say so', async () => {
    const dir = tempDir();
    const env = { HOME: tempDir(), COMFY_COMPANION_DATA_DIR: dir };
    const made = await cli(env, 'create', '--name', 'alice');
    expect(made.code, made.err).toBe(0);
    expect(made.err).toBe(`Key store: ${dir} (from COMFY_COMPANION_DATA_DIR)\n`);
    expect(existsSync(join(dir, 'keys.json'))).toBe(true);
    const list = await cli(env, 'list');
    expect(list.err).toBe(`Key store: ${dir} (from COMFY_COMPANION_DATA_DIR)\n`);
    expect(list.out).toMatch(/\balice\s+active\b/);
    // --data-dir wins over the variable.
    const other = tempDir();
    expect((await cli(env, 'list', '--data-dir', other)).err).toBe(`Key store: ${other}\n`);
  });

  it('without either, the desktop app’s folder is used and named as such', async () => {
    const config = tempDir();
    const env = { HOME: tempDir(), XDG_CONFIG_HOME: config };
    const list = await cli(env, 'list');
    const expected = chooseDataDir(undefined, env).dir;
    expect(list.err).toBe(`Key store: ${expected} (the desktop app's folder; give --data-dir or set COMFY_COMPANION_DATA_DIR for another)\n`);
    expect(list.out).toBe('No access keys yet. Create one with: npm run headless -- keys create --name NAME\n');
  });

  it('the data dir is chosen flag first, then the variable, then the default', () => {
    const env = { HOME: '/home/u', XDG_CONFIG_HOME: '/home/u/.config', COMFY_COMPANION_DATA_DIR: ' /srv/c ' };
    expect(chooseDataDir('/x', env, 'linux')).toEqual({ dir: '/x', from: 'flag' });
    expect(chooseDataDir(undefined, env, 'linux')).toEqual({ dir: '/srv/c', from: 'env' });
    expect(chooseDataDir(undefined, { ...env, COMFY_COMPANION_DATA_DIR: '' }, 'linux')).toEqual({ dir: '/home/u/.config/ComfyUI Auth Companion', from: 'default' });
  });
});
