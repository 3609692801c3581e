// The bundled main process (esbuild cjs, as scripts/build.mjs makes it) starts against the fake
// electron: catches bundling mistakes (ESM-only deps, import.meta, wrong externals) without Electron.
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as electron from '../mocks/electron';

let outDir: string;

beforeAll(async () => {
  electron.resetElectronMock();
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'main-bundle-'));
  const rendererDir = path.join(outDir, 'renderer');
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>bundle</title>');
  // Same options as the main.cjs step of scripts/build.mjs (keep the two in step).
  await build({
    entryPoints: [path.resolve(__dirname, '../../main/app/main.ts')],
    outfile: path.join(outDir, 'electron', 'main.cjs'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['electron', '@napi-rs/keyring', '@napi-rs/keyring-*'],
    define: { 'import.meta.url': '__companion_import_meta_url' },
    banner: { js: 'const __companion_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    logLevel: 'silent',
  });
});
afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('bundled main.cjs', () => {
  it('loads, registers app:// before ready, and opens the window from app:// once ready', async () => {
    // Serve the shared fake for require('electron') from inside the bundle only.
    type Loader = (request: string, parent: unknown, isMain: boolean) => unknown;
    const mod = Module as unknown as { _load: Loader };
    const original = mod._load;
    mod._load = function (request, parent, isMain) {
      return request === 'electron' ? electron : original.call(this, request, parent, isMain);
    };
    try {
      Module.createRequire(import.meta.url)(path.join(outDir, 'electron', 'main.cjs'));
    } finally {
      mod._load = original;
    }
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledOnce();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
    electron.app.makeReady();
    await vi.waitFor(() => expect(electron.BrowserWindow.instances).toHaveLength(1), { timeout: 15_000, interval: 20 }); // 1 s default flakes under load
    const window = electron.BrowserWindow.instances[0]!;
    expect(window.loadedUrl).toBe('app://companion/index.html');
    expect((window.options['webPreferences'] as { preload: string }).preload).toBe(path.join(outDir, 'electron', 'preload.cjs'));
    const res = await electron.protocol.handlers.get('app')!(new Request('app://companion/'));
    expect(await res.text()).toContain('<title>bundle</title>');
    expect(electron.Tray.instances).toHaveLength(1);
  });
});
