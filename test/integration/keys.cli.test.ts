// The `keys` CLI on a data dir, and a running server's key store noticing its changes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyStore, type KeyChange } from '../../main/keys/keyStore';
import { keysCli, tempDirs } from '../helpers/keysCli';

const stores: KeyStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
const tempDir = tempDirs('keys-cli-');
const cli = keysCli(Date.UTC(2026, 10, 22));

/** The store's next matching change; fails with a message (not a test timeout) if none comes in 20 s, 40× the 500 ms poll. */
function nextChange(store: KeyStore, match: (c: KeyChange) => boolean, what: string): Promise<KeyChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`the running store never saw: ${what}`));
    }, 20_000);
    const off = store.onChange((c) => {
      if (match(c)) {
        clearTimeout(timer);
        off();
        resolve(c);
      }
    });
  });
}

/** Rewrites keys.json so the (only) key's id starts with "-", as 1 in 64 random ids do. */
function giveDashedId(dir: string): string {
  const path = join(dir, 'keys.json');
  const file = JSON.parse(readFileSync(path, 'utf8')) as { keys: { key_id: string }[] };
  const id = `-${file.keys[0]!.key_id.slice(1)}`;
  file.keys[0]!.key_id = id;
  writeFileSync(path, JSON.stringify(file));
  return id;
}

describe('keys CLI', () => {
  it('create prints the secret once with a save-it-now line; list shows it without the secret', async () => {
    const dir = tempDir();
    const created = await cli(dir, 'keys', 'create', '--name', 'Batch job', '--rate-limit', '250', '--expires-in', '30d', '--scope', 'read', '--scope', 'generate');
    expect(created.code).toBe(0);
    const secret = /comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}/.exec(created.out)?.[0];
    expect(secret).toBeDefined();
    expect(created.out).toMatch(/Save this key now: it will not be shown again/);
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).not.toContain(secret);

    const listed = await cli(dir, 'list');
    expect(listed.code).toBe(0);
    expect(listed.out).not.toContain(secret!);
    const [header, row] = listed.out.trim().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+STATUS\s+RATE\/H\s+CLOUD\s+SHARE\s+LAST USED\s+EXPIRES\s+SCOPES$/);
    expect(row).toMatch(/Batch job\s+active\s+250\s+no\s+1\s+never\s+2026-12-22T00:00:00Z\s+read,generate$/);

    const json = JSON.parse((await cli(dir, 'list', '--json')).out) as { keys: { name: string; rate_limit: number; scopes: string[] }[] };
    expect(json.keys).toEqual([expect.objectContaining({ name: 'Batch job', rate_limit: 250, scopes: ['read', 'generate'] })]);

    const store = new KeyStore({ dataDir: dir });
    stores.push(store);
    expect(store.authenticate(secret!, 'bearer', Date.UTC(2026, 10, 23)).ok).toBe(true);
  });

  it('revoke and rotate by id; the store honours them', async () => {
    const dir = tempDir();
    const out = JSON.parse((await cli(dir, 'create', '--name', 'a', '--json')).out) as { key_id: string; api_key: string };
    const rotated = await cli(dir, 'rotate', out.key_id);
    expect(rotated.code, rotated.err).toBe(0);
    const newSecret = /comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}/.exec(rotated.out)![0];
    expect(rotated.out).toMatch(/old key no longer works/);
    let store = new KeyStore({ dataDir: dir });
    expect(store.authenticate(out.api_key, 'bearer', Date.now()).ok).toBe(false);
    expect(store.authenticate(newSecret, 'bearer', Date.now()).ok).toBe(true);
    expect((await cli(dir, 'revoke', out.key_id)).code).toBe(0);
    store = new KeyStore({ dataDir: dir });
    expect(store.authenticate(newSecret, 'bearer', Date.now())).toMatchObject({ ok: false, reason: 'revoked' });
    expect((await cli(dir, 'list')).out).toMatch(/revoked/);
  });

  it('ids that start with "-" (1 in 64 of them) work with rotate and revoke, before or after options', async () => {
    const dir = tempDir();
    expect((await cli(dir, 'create', '--name', 'dashed')).code).toBe(0);
    const id = giveDashedId(dir);
    const rotated = await cli(dir, 'rotate', id, '--grace', '10m');
    expect(rotated.err).toBe('');
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatch(/keeps working for 10 minutes/);
    const revoked = await cli(dir, 'revoke', '--data-dir', dir, id);
    expect(revoked.err).toBe('');
    expect(revoked.code).toBe(0);
    expect((await cli(dir, 'list')).out).toMatch(new RegExp(`^${id}\\s+dashed\\s+revoked`, 'm'));
    // A value that merely looks like an id stays the option's value.
    const named = await cli(dir, 'create', '--name', id);
    expect(named.code, named.err).toBe(2);
    expect(named.err).toMatch(/--name needs a value/);
  });

  it('bad usage exits 2; an unknown id exits 1 and says where ids are listed', async () => {
    const dir = tempDir();
    const unknown = await cli(dir, 'revoke', 'AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/No access key has the id or name "AAAAAAAAAAAAAAAAAAAAAA"\. The ID and NAME columns of "comfy-auth-companion keys list" show them\.\n$/);
    expect((await cli(dir)).code).toBe(2);
    const help = await cli(dir, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/keys create --name|create --name NAME/);
  });

  it('--data-dir on the command line overrides the default dir', async () => {
    const dflt = tempDir();
    const other = tempDir();
    expect((await cli(dflt, 'create', '--name', 'x', '--data-dir', other)).code).toBe(0);
    expect((await cli(other, 'list', '--json')).out).toContain('"name":"x"');
    expect((await cli(dflt, 'list')).out).toMatch(/No access keys yet/);
    expect((await cli(dflt, '--data-dir', other, 'list', '--json')).out).toContain('"name":"x"');
  });
});

describe('a running server sees CLI changes', () => {
  it('a key created by the CLI is accepted, and a key revoked by the CLI is refused, without a restart', async () => {
    const dir = tempDir();
    const server = new KeyStore({ dataDir: dir, watch: true });
    stores.push(server);

    const created = nextChange(server, (c) => c.type === 'created', 'the created key');
    const made = await cli(dir, 'create', '--name', 'from-cli', '--json');
    expect(made.code, made.err).toBe(0);
    const out = JSON.parse(made.out) as { key_id: string; api_key: string };
    expect(await created).toEqual({ type: 'created', keyId: out.key_id });
    expect(server.authenticate(out.api_key, 'bearer', Date.now()).ok).toBe(true);

    const revoked = nextChange(server, (c) => c.type === 'revoked', 'the revocation');
    const gone = await cli(dir, 'revoke', out.key_id);
    expect(gone.code, gone.err).toBe(0);
    expect(await revoked).toEqual({ type: 'revoked', keyId: out.key_id });
    expect(server.authenticate(out.api_key, 'bearer', Date.now())).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('the mtime poll alone notices a change (fs.watch unavailable)', async () => {
    const dir = tempDir();
    const server = new KeyStore({ dataDir: dir, watch: true, fsWatch: false, pollMs: 50 });
    stores.push(server);
    const reloaded = nextChange(server, (c) => c.type === 'reloaded', 'a reload from the poll');
    expect((await cli(dir, 'create', '--name', 'polled')).code).toBe(0);
    await reloaded;
    expect(server.list().map((k) => k.name)).toEqual(['polled']);
  });
});
