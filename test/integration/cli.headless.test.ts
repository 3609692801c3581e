// The headless CLI as a user runs it: help, version, refusals with exit code 2, the ready line,
// a generated admin key that is reused and never printed, and a clean exit on SIGINT/SIGTERM.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { request } from '../helpers/http';

const ROOT = join(import.meta.dirname, '..', '..');

function run(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  // The launcher `npm run headless` and the bin run: the built bundle, rebuilt first if stale.
  return spawn(process.execPath, [join(ROOT, 'bin', 'comfy-auth-companion.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, COMFY_API_KEY: '', ...env },
  });
}

function finish(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

function waitForLine(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpExecArray> {
  let buf = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = pattern.exec(buf);
      if (m) resolve(m);
    });
    child.on('close', (code) => reject(new Error(`exited ${code} before "${pattern}"; stdout: ${buf}`)));
  });
}

let fake: FakeComfy;
let dir: string;
beforeAll(async () => {
  fake = await startFakeComfy();
  dir = await mkdtemp(join(tmpdir(), 'cac-cli-'));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('headless CLI', () => {
  it('prints help and version', async () => {
    const help = await finish(run(['--help']));
    expect(help.code).toBe(0);
    expect(help.out).toContain('--upstream URL');
    expect(help.out).toContain('keys <command>');
    const version = await finish(run(['--version']));
    expect(version.code).toBe(0);
    expect(version.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(['0.0.0.0:8189', '192.168.1.5:8189', '[::]:8189', 'example.com:80'])('refuses to listen on %s with exit code 2', async (listen) => {
    const r = await finish(run(['--listen', listen, '--data-dir', dir]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/only loopback addresses are allowed/);
    expect(r.err).toMatch(/^Run "comfy-auth-companion --help" for usage\.$/m);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 with a clear message for an unreadable key file', async () => {
    const r = await finish(run(['--api-key-file', join(dir, 'missing.txt'), '--data-dir', dir]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^comfy-auth-companion: Cannot read the admin key file .*\(ENOENT\)\.$/m);
    const u = await finish(run(['--upstream-key-file', join(dir, 'nope'), '--api-key', 'k'.repeat(20), '--data-dir', dir]));
    expect(u.code).toBe(2);
    expect(u.err).toContain('upstream key file');
  });

  it('exits 2 for an unknown option', async () => {
    const r = await finish(run(['--bogus']));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--help');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('serves with a key file, refuses without the key, and exits 0 on %s', async (signal) => {
    const keyFile = join(dir, 'k.txt');
    await writeFile(keyFile, 'cli-admin-key-abcdefghijklmnop\n');
    const child = run(['--upstream', fake.url, '--listen', '127.0.0.1:0', '--api-key-file', keyFile, '--data-dir', dir]);
    const done = finish(child);
    const ready = await waitForLine(child, /listening on (http:\/\/127\.0\.0\.1:(\d+)) -> (\S+)/);
    expect(ready[3]).toBe(fake.url);
    const url = ready[1] as string;
    expect((await request(`${url}/system_stats`, { headers: { authorization: 'Bearer cli-admin-key-abcdefghijklmnop' } })).status).toBe(200);
    expect((await request(`${url}/system_stats`)).status).toBe(401);
    child.kill(signal);
    const r = await done;
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Received ${signal}, shutting down.`);
  });

  it('generates an admin key once (0600, path printed, key never printed) and reuses it', async () => {
    const own = await mkdtemp(join(tmpdir(), 'cac-cli-gen-'));
    const first = run(['--upstream', fake.url, '--listen', '127.0.0.1:0', '--data-dir', own]);
    const firstDone = finish(first);
    const m = await waitForLine(first, /listening on (\S+)/);
    first.kill('SIGTERM');
    const r1 = await firstDone;
    const keyPath = join(own, 'admin.key');
    expect(r1.out).toContain(`Generated an admin key in ${keyPath}`);
    const key = (await readFile(keyPath, 'utf8')).trim();
    expect(key.length).toBeGreaterThan(30);
    expect(r1.out + r1.err).not.toContain(key);
    if (process.platform !== 'win32') expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(m[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const second = run(['--upstream', fake.url, '--listen', '127.0.0.1:0', '--data-dir', own]);
    const secondDone = finish(second);
    const m2 = await waitForLine(second, /listening on (\S+)/);
    expect((await request(`${m2[1]}/queue`, { headers: { 'x-api-key': key } })).status).toBe(200);
    second.kill('SIGTERM');
    const r2 = await secondDone;
    expect(r2.out).toContain(`Using the admin key in ${keyPath}`);
    await rm(own, { recursive: true, force: true });
  });

  it('--shared-input-folder shares a folder of the input folder with every key; a bad one exits 2', async () => {
    const bad = await finish(run(['--shared-input-folder', 'team', '--shared-input-folder', '../up', '--data-dir', dir]));
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--shared-input-folder');
    expect(bad.err).toContain('"."');
    const admin = 'cli-admin-key-abcdefghijklmnop';
    const child = run(['--upstream', fake.url, '--listen', '127.0.0.1:0', '--api-key', admin, '--data-dir', dir, '--shared-input-folder', 'team/']);
    const done = finish(child);
    const url = (await waitForLine(child, /listening on (\S+)/))[1] as string;
    const created = await request(`${url}/api/keys`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"name":"reader"}' });
    const key = { authorization: `Bearer ${created.json<{ api_key: string }>().api_key}` };
    fake.files.put('input', 'team', 'logo.png', Buffer.from('logo'));
    fake.files.put('input', 'pasted', 'theirs.png', Buffer.from('theirs'));
    expect((await request(`${url}/view?filename=logo.png&type=input&subfolder=team`, { headers: key })).status).toBe(200);
    expect((await request(`${url}/view?filename=theirs.png&type=input&subfolder=pasted`, { headers: key })).status).toBe(404);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
