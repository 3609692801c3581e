#!/usr/bin/env node
// `npm start`: finds the Electron binary (trying a bounded download only when the download host
// is reachable), builds, and launches the app. Without a binary it explains what to do and exits 1.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronArgs } from './nodeFlags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';
const PROBE_TIMEOUT_MS = Number(process.env.COMPANION_ELECTRON_PROBE_TIMEOUT_MS ?? 3000);
// A real download is ~100 MB; generous, but bounded so `npm start` never hangs.
const INSTALL_TIMEOUT_MS = Number(process.env.COMPANION_ELECTRON_INSTALL_TIMEOUT_MS ?? 180_000);

function platformPath() {
  switch (process.platform) {
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    default:
      return 'electron';
  }
}

/** The electron package folder (overridable so tests can point at a package without a binary). */
function electronPackageDir() {
  if (process.env.COMPANION_ELECTRON_DIR) return path.resolve(process.env.COMPANION_ELECTRON_DIR);
  try {
    return path.dirname(require.resolve('electron/package.json', { paths: [root] }));
  } catch {
    return null;
  }
}

/** Same lookup as electron/index.js, without its synchronous, unbounded download. */
function findBinary(pkgDir) {
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override ? path.join(override, relative || 'electron') : path.join(pkgDir, 'dist', relative || platformPath());
  return { candidate, found: existsSync(candidate) };
}

/** Can we open a TCP connection to the download host? Answers within PROBE_TIMEOUT_MS. */
function canReach(rawUrl) {
  return new Promise((resolve) => {
    let url;
    try {
      url = new URL(rawUrl);
    } catch {
      resolve(`the download mirror ${rawUrl} is not a valid URL`);
      return;
    }
    const port = Number(url.port || (url.protocol === 'http:' ? 80 : 443));
    const socket = net.connect({ host: url.hostname, port });
    const done = (why) => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(`${url.hostname} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`));
    socket.once('connect', () => done(null));
    socket.once('error', (err) => done(`${url.hostname} is unreachable (${err.code ?? err.message})`));
  });
}

/** Runs electron's own install.js with a deadline; returns null on success or a short reason. */
function runInstall(pkgDir) {
  return new Promise((resolve) => {
    const script = path.join(pkgDir, 'install.js');
    if (!existsSync(script)) {
      resolve('the electron package has no install.js');
      return;
    }
    console.log(`Electron binary missing; downloading it (up to ${Math.round(INSTALL_TIMEOUT_MS / 1000)} s)…`);
    const child = spawn(process.execPath, [script], { cwd: pkgDir, stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`the download did not finish within ${Math.round(INSTALL_TIMEOUT_MS / 1000)} s`);
    }, INSTALL_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(null);
      // First line of the installer's error, without its stack trace.
      const first = stderr.split('\n').find((l) => l.trim() && !/^\s+at /.test(l));
      const line = first?.trim().replace(/^(\w*Error):\s*/, '').slice(0, 200);
      resolve(`the download failed${line ? `: ${line}` : ` (exit ${code})`}`);
    });
  });
}

function explainAndExit(expected, reason) {
  const version = (() => {
    try {
      return JSON.parse(readFileSync(path.join(electronPackageDir() ?? '', 'package.json'), 'utf8')).version;
    } catch {
      return '45';
    }
  })();
  const rel = path.relative(root, expected);
  const shown = rel && !rel.startsWith('..') ? rel : expected;
  process.stderr.write(
    `Cannot start the desktop app: the Electron ${version} binary is not installed (looked for ${shown}) and could not be fetched here: ${reason}. ` +
      'Electron downloads its binary on first use; to get it, run `npx install-electron` in this folder on a machine with internet access ' +
      '(or copy node_modules/electron/dist and node_modules/electron/path.txt from such a machine), or set ELECTRON_OVERRIDE_DIST_PATH to a folder ' +
      `that holds an Electron ${version} build, then run \`npm start\` again. Without Electron, the same proxy runs headless in plain Node: ` +
      '`npm run headless -- --help`.\n',
  );
  process.exit(1);
}

async function main() {
  const pkgDir = electronPackageDir();
  if (!pkgDir) explainAndExit(path.join(root, 'node_modules/electron'), 'the electron package itself is not installed');
  let { candidate, found } = findBinary(pkgDir);
  if (!found) {
    if (process.env.ELECTRON_OVERRIDE_DIST_PATH) explainAndExit(candidate, 'ELECTRON_OVERRIDE_DIST_PATH does not contain it');
    const mirror = process.env.ELECTRON_MIRROR || process.env.npm_config_electron_mirror || DEFAULT_MIRROR;
    const unreachable = await canReach(mirror);
    if (unreachable) explainAndExit(candidate, unreachable);
    const failed = await runInstall(pkgDir);
    ({ candidate, found } = findBinary(pkgDir));
    if (!found) explainAndExit(candidate, failed ?? 'the installer finished but left no binary');
  }

  const { buildAll } = await import('./build.mjs');
  await buildAll();

  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would turn the app into a plain Node process
  const child = spawn(candidate, electronArgs(root, process.argv.slice(2)), { stdio: 'inherit', env });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((err) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
