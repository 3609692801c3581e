// The packaged app, as far as it can be built here: electron-builder's --dir target around a stand-in
// Electron (scripts/packDir.mjs), then the real app.asar is opened with @electron/asar and checked —
// bundles, renderer, the keyring's native module unpacked and loadable, nothing that is a test, a source,
// a source map or a data file — and the extracted app starts against the fake electron. Reports sizes.
import asar from '@electron/asar';
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { packDir } from '../../scripts/packDir.mjs';
import * as electron from '../mocks/electron';

const ROOT = path.join(import.meta.dirname, '..', '..');
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-dir-'));
let packed: { ok: boolean; appOutDir: string; log: string };
let files: string[] = [];
let asarPath = '';
/** Why electron-builder could not run, when that is a missing download rather than our mistake. */
let offlineReason: string | null = null;

beforeAll(async () => {
  packed = await packDir(out);
  if (!packed.ok && /ENOTFOUND|EAI_AGAIN|getaddrinfo|ECONNREFUSED.*:443/.test(packed.log)) {
    offlineReason = `electron-builder wanted to download something: ${/.*(ENOTFOUND|EAI_AGAIN|getaddrinfo).*/.exec(packed.log)?.[0]}`;
    console.warn(`packaging tests skipped: ${offlineReason}`);
    return;
  }
  if (!packed.ok) throw new Error(`electron-builder --dir failed:\n${packed.log}`);
  asarPath = path.join(packed.appOutDir, 'resources', 'app.asar');
  files = asar.listPackage(asarPath, { isPack: false }).map((f) => f.replaceAll('\\', '/'));
}, 240_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function sizeOf(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((sum, name) => sum + sizeOf(path.join(p, name)), 0);
}

describe('packaged app (electron-builder --dir, stand-in Electron)', () => {
  it('app.asar holds the main and preload bundles, the renderer and package.json', ({ skip }) => {
    if (offlineReason) skip(offlineReason);
    for (const f of ['/package.json', '/dist/electron/main.cjs', '/dist/electron/preload.cjs', '/dist/renderer/index.html', '/dist/electron/icon.png']) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => /^\/dist\/renderer\/assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    expect(files.some((f) => /^\/dist\/renderer\/assets\/index-[\w-]+\.css$/.test(f))).toBe(true);
    expect(files.filter((f) => f.startsWith('/dist/electron/tray/')).length).toBeGreaterThanOrEqual(4);
    const pkg = JSON.parse(asar.extractFile(asarPath, 'package.json').toString()) as { main: string };
    expect(files).toContain(`/${pkg.main}`);
  });

  it("the keyring's native module is unpacked next to the asar, and loads from there", ({ skip }) => {
    if (offlineReason) skip(offlineReason);
    const native = files.filter((f) => f.endsWith('.node'));
    expect(native.length).toBeGreaterThanOrEqual(1);
    for (const f of native) {
      expect(f).toMatch(/^\/node_modules\/@napi-rs\/keyring-/);
      expect((asar.statFile(asarPath, f.slice(1)) as { unpacked?: boolean }).unpacked, f).toBe(true);
      expect(fs.existsSync(path.join(`${asarPath}.unpacked`, f))).toBe(true);
    }
    // Resolved from the unpacked folder alone (no checkout node_modules on the way).
    const req = Module.createRequire(path.join(`${asarPath}.unpacked`, 'node_modules', 'x.js'));
    const keyring = req('@napi-rs/keyring') as { Entry: unknown };
    expect(typeof keyring.Entry).toBe('function');
  });

  it('ships no tests, sources, source maps, data files or dev packages', ({ skip }) => {
    if (offlineReason) skip(offlineReason);
    const offenders = files.filter(
      (f) =>
        /\.(ts|tsx|mts|cts|map)$/.test(f) || // sources and source maps
        /\/(test|tests|__tests__|spec|benchmark|fixtures|bench)\//.test(f) || // tests
        (/\.(json|csv|db|sqlite|key|log|env)$/.test(f) && !/\/package\.json$/.test(f)) || // data files
        /^\/(main|renderer|preload|scripts|build|bin|test)\//.test(f) || // the project's own sources and tooling
        /^\/node_modules\/(?!@napi-rs(\/keyring|$))/.test(f), // everything else is bundled into main.cjs
    );
    expect(offenders).toEqual([]);
    expect(fs.readdirSync(packed.appOutDir).sort()).not.toContain('userData');
  });

  it('the app extracted from the asar starts against the fake electron (nothing missing from the package)', async ({ skip }) => {
    if (offlineReason) skip(offlineReason);
    const extracted = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-extracted-'));
    try {
      asar.extractAll(asarPath, extracted);
      electron.resetElectronMock();
      type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
      const mod = Module as unknown as { _load: Loader };
      const original = mod._load;
      mod._load = function (request, parent, isMain) {
        return request === 'electron' ? electron : original.call(this, request, parent, isMain);
      };
      try {
        Module.createRequire(import.meta.url)(path.join(extracted, 'dist', 'electron', 'main.cjs'));
      } finally {
        mod._load = original;
      }
      electron.app.makeReady();
      await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1), { timeout: 15_000, interval: 20 });
      const res = await electron.protocol.handlers.get('app')!(new Request('app://companion/'));
      expect(await res.text()).toContain('<div id="root">');
    } finally {
      electron.app.quit?.();
      fs.rmSync(extracted, { recursive: true, force: true });
    }
  });

  it('reports the size of the app (without Electron)', ({ skip }) => {
    if (offlineReason) skip(offlineReason);
    const sizes = {
      'app.asar': sizeOf(asarPath),
      'app.asar.unpacked': sizeOf(`${asarPath}.unpacked`),
      files: files.length,
    };
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
    console.log(`packaged app: app.asar ${mib(sizes['app.asar'])}, app.asar.unpacked ${mib(sizes['app.asar.unpacked'])}, ${sizes.files} entries`);
    fs.mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-results', 'packaging.json'), `${JSON.stringify(sizes, null, 2)}\n`);
    // A regression guard with room to grow, not a benchmark: the asar was 10 MiB before node_modules were trimmed.
    expect(sizes['app.asar']).toBeLessThan(8 * 1024 * 1024);
  });
});
