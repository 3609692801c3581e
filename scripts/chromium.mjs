// Which Chromium the browser tests (and build/make-icons.mjs) drive, in this order:
//   1. CHROMIUM_PATH, when set (it must exist: a wrong path fails loudly instead of falling back);
//   2. the system's Chromium: `chromium` or `chromium-browser` on PATH (Debian's /usr/bin/chromium);
//   3. the Chromium inside the @sparticuz/chromium npm package (a devDependency: it installs with
//      `npm ci` from the registry, no download of its own), unpacked once into a cache folder.
// A PATH without /usr/bin/chromium acts as a machine without it (how the fresh-machine run was simulated).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const SYSTEM_NAMES = ['chromium', 'chromium-browser'];

function onPath(name, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** @returns {{ path: string, source: string, env: Record<string, string> } | { path: null, why: string }} */
export function findChromium(env = process.env) {
  if (env.CHROMIUM_PATH) {
    return existsSync(env.CHROMIUM_PATH) ? { path: env.CHROMIUM_PATH, source: 'CHROMIUM_PATH', env: {} } : { path: null, why: `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist` };
  }
  for (const name of SYSTEM_NAMES) {
    const found = onPath(name, env);
    if (found) return { path: found, source: 'the system', env: {} };
  }
  try {
    return unpackSparticuz();
  } catch (err) {
    return { path: null, why: `no ${SYSTEM_NAMES.join(' or ')} on PATH and @sparticuz/chromium could not be unpacked: ${err.message}` };
  }
}

/** Unpacks @sparticuz/chromium's brotli files into <tmp>/companion-chromium-<version>/ (once; atomic). */
function unpackSparticuz() {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(dirname(require.resolve('@sparticuz/chromium'))); // <pkg>/build/index.js
  const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
  const dir = join(tmpdir(), `companion-chromium-${version}-${process.getuid?.() ?? 'u'}`);
  const binary = join(dir, 'chromium');
  if (!existsSync(join(dir, '.complete'))) {
    const staging = `${dir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'lib'), { recursive: true });
    writeFileSync(join(staging, 'chromium'), brotliDecompressSync(readFileSync(join(pkgDir, 'bin', 'chromium.br'))), { mode: 0o755 });
    // GL (SwiftShader) next to the binary; fonts and the few shared libraries it links (NSS, expat).
    untar(join(pkgDir, 'bin', 'swiftshader.tar.br'), staging);
    untar(join(pkgDir, 'bin', 'fonts.tar.br'), staging);
    untar(join(pkgDir, 'bin', 'al2023.tar.br'), staging);
    writeFileSync(
      join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>${join(dir, 'fonts')}</dir><cachedir>${join(dir, 'fonts-cache')}</cachedir></fontconfig>\n`,
    );
    writeFileSync(join(staging, '.complete'), version);
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process finished first; its copy is as good
    }
  }
  const env = { LD_LIBRARY_PATH: [join(dir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') };
  // Machines without a system font configuration get the package's fonts.
  if (!existsSync('/etc/fonts/fonts.conf')) env.FONTCONFIG_FILE = join(dir, 'fonts.conf');
  return { path: binary, source: `@sparticuz/chromium ${version}`, env };
}

function untar(brFile, into) {
  const res = spawnSync('tar', ['-x', '-C', into], { input: brotliDecompressSync(readFileSync(brFile)) });
  if (res.status !== 0) throw new Error(`tar failed on ${brFile}: ${res.stderr?.toString() || res.error?.message}`);
}
