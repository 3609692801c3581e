// A data dir that cannot be written (disk full, read-only) gets 507 storage_unavailable naming the file,
// the folder and the cause, and nothing changes: keys.json stays byte-identical and the keys in memory stay
// as they were; the CLI says the same in words with exit 1. Where this machine allows mounting (root), a
// real 64 KiB tmpfs is filled and another is remounted read-only; as a non-root user the folder is chmod
// 0500; as root without mount rights the fs error is injected at the fs calls atomicFile/lockFile make.
import { execFileSync } from 'node:child_process';
import * as realFs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runKeysCommand } from '../../main/cli/keysCli';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';

const inject = vi.hoisted(() => ({ code: null as string | null, dir: '' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const fail = (path: unknown) => {
    if (inject.code && String(path).startsWith(inject.dir)) {
      throw Object.assign(new Error(`${inject.code}: injected by the test, open '${String(path)}'`), { code: inject.code });
    }
  };
  const writes = (flags: unknown) => typeof flags === 'string' && /[wa+]/.test(flags);
  const mocked = {
    ...fs,
    openSync: (path: realFs.PathLike, flags: realFs.OpenMode = "r", mode?: realFs.Mode) => {
      if (writes(flags)) fail(path);
      return fs.openSync(path, flags, mode);
    },
    writeFileSync: (path: realFs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, options?: realFs.WriteFileOptions) => {
      fail(path);
      fs.writeFileSync(path, data, options);
    },
  };
  return { ...mocked, default: mocked };
});

type Mode = 'tmpfs' | 'chmod' | 'injected';
const isRoot = process.getuid?.() === 0;

function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pickMode(): Mode {
  const forced = process.env.FAULTS_STORAGE_MODE as Mode | undefined;
  if (forced) return forced;
  if (!isRoot) return 'chmod';
  const probe = mkdtempSync(join(tmpdir(), 'cac-mount-probe-'));
  const ok = tryMount(probe, 'size=64k');
  if (ok) execFileSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok ? 'tmpfs' : 'injected';
}

const mode = pickMode();
console.info(`faults.storage: data-dir failures are produced by: ${mode}`);

interface Broken {
  dir: string;
  /** Makes writes fail with the cause; returns the errno code the message must name. */
  breakIt(): string;
  repair(): void;
  dispose(): void;
}

function dataDir(kind: 'full' | 'readonly'): Broken {
  const dir = mkdtempSync(join(tmpdir(), `cac-storage-${kind}-`));
  let mounted = false;
  if (mode === 'tmpfs') mounted = tryMount(dir, kind === 'full' ? 'size=64k,mode=0700' : 'size=1m,mode=0700');
  const filler = join(dir, 'filler.bin');
  return {
    dir,
    breakIt() {
      if (mode === 'injected') {
        inject.code = kind === 'full' ? 'ENOSPC' : 'EROFS';
        inject.dir = dir;
        return inject.code;
      }
      if (mode === 'chmod') {
        realFs.chmodSync(dir, 0o500);
        return 'EACCES';
      }
      if (kind === 'readonly') {
        execFileSync('mount', ['-o', 'remount,ro', dir]);
        return 'EROFS';
      }
      const fd = realFs.openSync(filler, 'w');
      const page = Buffer.alloc(4096);
      try {
        for (;;) realFs.writeSync(fd, page);
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        realFs.closeSync(fd);
      }
      return 'ENOSPC';
    },
    repair() {
      inject.code = null;
      if (mode === 'chmod') realFs.chmodSync(dir, 0o700);
      else if (mode === 'tmpfs' && kind === 'readonly') execFileSync('mount', ['-o', 'remount,rw', dir]);
      else if (mode === 'tmpfs') rmSync(filler, { force: true });
    },
    dispose() {
      if (mounted) execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Err = { error: { type: string; message: string } };
let h: Harness | null = null;
let broken: Broken | null = null;
afterEach(async () => {
  broken?.repair();
  await h?.close();
  broken?.dispose();
  h = null;
  broken = null;
});

const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) });

async function api(method: string, path: string, body?: unknown) {
  const { body: text, ...ct } = body === undefined ? { body: undefined } : json(body);
  return request(`${h?.url}${path}`, { method, headers: { ...h?.auth, ...ct }, body: text });
}

function expectStorageError(res: { status: number; json<T>(): T }, dir: string, code: string): void {
  expect(res.status).toBe(507);
  const { error } = res.json<Err>();
  expect(error.type).toBe('storage_unavailable');
  expect(error.message).toContain('keys.json');
  expect(error.message).toContain(dir);
  expect(error.message).toContain(code);
  expect(error.message).toMatch(/nothing was changed/i);
}

const kinds = mode === 'chmod' ? (['readonly'] as const) : (['full', 'readonly'] as const);

describe.each(kinds)(`a %s data dir (${mode})`, (kind) => {
  it('answers 507 storage_unavailable to every key change, leaving keys.json and the keys in memory unchanged', async () => {
    broken = dataDir(kind);
    h = await startHarness({ dataDir: broken.dir });
    const made = await api('POST', '/api/keys', { name: 'before' });
    expect(made.status).toBe(200);
    const { key_id: keyId, api_key: secret } = made.json<{ key_id: string; api_key: string }>();
    const keysPath = join(broken.dir, 'keys.json');
    const bytesBefore = readFileSync(keysPath);
    const listBefore = (await api('GET', '/api/keys')).json<unknown>();

    const code = broken.breakIt();
    expectStorageError(await api('POST', '/api/keys', { name: 'after' }), broken.dir, code);
    expectStorageError(await api('PATCH', `/api/keys/${keyId}`, { name: 'renamed' }), broken.dir, code);
    expectStorageError(await api('DELETE', `/api/keys/${keyId}`), broken.dir, code);
    expectStorageError(await api('POST', `/api/keys/${keyId}/rotate`, {}), broken.dir, code);

    expect(readFileSync(keysPath).equals(bytesBefore)).toBe(true);
    expect((await api('GET', '/api/keys')).json<unknown>()).toEqual(listBefore);
    const stillWorks = await request(`${h.url}/system_stats`, { headers: { authorization: `Bearer ${secret}` } });
    expect(stillWorks.status).toBe(200);

    // The same words from the CLI, exit 1.
    const err: string[] = [];
    const exit = await runKeysCommand(['create', '--name', 'cli'], { dataDir: broken.dir, stdout: () => {}, stderr: (s) => err.push(s) });
    expect(exit).toBe(1);
    expect(err.join('')).toContain(`keys.json in ${broken.dir}`);
    expect(err.join('')).toContain(code);
    expect(readFileSync(keysPath).equals(bytesBefore)).toBe(true);

    // Once the folder can be written again, the same request succeeds.
    broken.repair();
    expect((await api('POST', '/api/keys', { name: 'after' })).status).toBe(200);
  });

  it('refuses a "remember me" login it cannot save with 507, and sets no cookie', async () => {
    broken = dataDir(kind);
    h = await startHarness({ dataDir: broken.dir });
    const code = broken.breakIt();
    const res = await request(`${h.url}/auth/login`, {
      method: 'POST',
      headers: { origin: h.url, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: h.auth.authorization.slice('Bearer '.length), remember: true }),
    });
    expect(res.status).toBe(507);
    const { error } = res.json<Err>();
    expect(error.type).toBe('storage_unavailable');
    expect(error.message).toContain(`sessions.json in ${broken.dir}`);
    expect(error.message).toContain(code);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
