// electron-builder's `--dir` target, offline: the app is packed exactly as `npm run dist` would pack it
// (build/electron-builder.yml: files, asar, asarUnpack, afterPack fuses), but around a stand-in Electron
// folder instead of the real binary, which cannot be downloaded here. What comes out is the real
// resources/app.asar (+ app.asar.unpacked) next to a fake executable; tests open the asar.
// Usage: node scripts/packDir.mjs [OUT_DIR]   (default release/stand-in)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The fuse sentinel @electron/fuses looks for, followed by a stock fuse wire (RunAsNode etc. on). */
const FUSE_WIRE = Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 8]), Buffer.from('10110001')]);

/** A folder shaped like Electron's linux-x64 zip: the executable, locales/, resources/, LICENSE, version. */
export function makeStandInElectron(dir) {
  mkdirSync(path.join(dir, 'locales'), { recursive: true });
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  const script = Buffer.from('#!/bin/sh\necho "stand-in Electron: the real binary could not be downloaded here" >&2\nexit 1\n');
  writeFileSync(path.join(dir, 'electron'), Buffer.concat([script, Buffer.from('\n#'), FUSE_WIRE, Buffer.from('\n')]), { mode: 0o755 });
  for (const lang of ['en-US', 'de', 'fr']) writeFileSync(path.join(dir, 'locales', `${lang}.pak`), 'stand-in');
  writeFileSync(path.join(dir, 'LICENSE'), 'stand-in for the Electron license');
  writeFileSync(path.join(dir, 'version'), require('electron/package.json').version);
  return dir;
}

/** Builds what is missing, then packs. Returns the unpacked app folder and electron-builder's output. */
export async function packDir(outDir = path.join(root, 'release', 'stand-in')) {
  const { buildAll } = await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href);
  // main/preload/cli are quick esbuild steps; the renderer (vite) is built only when missing.
  await buildAll({ log: () => {}, renderer: !existsSync(path.join(root, 'dist', 'renderer', 'index.html')) });
  const electronDist = makeStandInElectron(mkdtempSync(path.join(tmpdir(), 'stand-in-electron-')));
  rmSync(outDir, { recursive: true, force: true });
  try {
    const cli = require.resolve('electron-builder/cli.js');
    const res = spawnSync(
      process.execPath,
      [cli, '--config', 'build/electron-builder.yml', '--linux', 'dir', '--x64', `-c.electronDist=${electronDist}`, `-c.directories.output=${outDir}`],
      { cwd: root, encoding: 'utf8' },
    );
    const log = `${res.stdout ?? ''}${res.stderr ?? ''}`;
    return { ok: res.status === 0, appOutDir: path.join(outDir, 'linux-unpacked'), log };
  } finally {
    rmSync(electronDist, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await packDir(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(result.log);
  if (!result.ok) process.exit(1);
  console.log(`packed (stand-in Electron): ${result.appOutDir}`);
}
