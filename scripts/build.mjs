#!/usr/bin/env node
// Builds everything the desktop app and the packaged CLI run from: main.cjs and preload.cjs
// (esbuild), dist/cli.mjs, the renderer (vite), and copies the runtime icons next to main.cjs.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { buildCli } from './buildCli.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const at = (...p) => path.join(root, ...p);

// Native keychain bindings are loaded at run time from node_modules (asarUnpack'ed when packaged).
const NATIVE_EXTERNALS = ['@napi-rs/keyring', '@napi-rs/keyring-*'];

export async function buildAll({ log = (m) => console.log(m), renderer = true } = {}) {
  const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root };

  log('build: dist/electron/main.cjs');
  await esbuild({
    ...common,
    entryPoints: [at('main/app/main.ts')],
    outfile: at('dist/electron/main.cjs'),
    format: 'cjs',
    external: ['electron', ...NATIVE_EXTERNALS],
    // Bundled ESM dependencies (conf, electron-store) read import.meta.url; give them the CJS equivalent.
    define: { 'import.meta.url': '__companion_import_meta_url' },
    banner: { js: 'const __companion_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  });

  // Sandboxed preloads must be CommonJS with no imports but 'electron'.
  log('build: dist/electron/preload.cjs');
  await esbuild({ ...common, entryPoints: [at('preload/index.ts')], outfile: at('dist/electron/preload.cjs'), format: 'cjs', external: ['electron'], sourcemap: false });

  log('build: dist/cli.mjs');
  await buildCli();

  // Tray icons (and the window icon) are read at run time from next to main.cjs.
  const trayDir = at('build/tray');
  if (existsSync(trayDir)) {
    mkdirSync(at('dist/electron/tray'), { recursive: true });
    for (const f of readdirSync(trayDir).filter((n) => n.endsWith('.png'))) cpSync(path.join(trayDir, f), at('dist/electron/tray', f));
  }
  if (existsSync(at('build/icons/512x512.png'))) cpSync(at('build/icons/512x512.png'), at('dist/electron/icon.png'));

  if (renderer && existsSync(at('renderer/vite.config.ts'))) {
    log('build: dist/renderer (vite)');
    const viteBin = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
    const res = spawnSync(process.execPath, [viteBin, 'build', '--config', at('renderer/vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (res.status !== 0) throw new Error(`vite build failed (exit ${res.status ?? res.signal})`);
  } else if (renderer) {
    log('build: renderer/vite.config.ts does not exist yet; skipping the renderer');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildAll({ renderer: !process.argv.includes('--no-renderer') }).catch((err) => {
    console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
