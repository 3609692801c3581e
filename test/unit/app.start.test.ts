// `npm start` on a machine without the Electron binary: one clear paragraph, exit 1, no hang,
// no stack trace, and nothing contacted but loopback.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const startScript = path.resolve(__dirname, '../../scripts/start.mjs');
let tmp: string;

function fakeElectronPackage(installJs: string): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'electron-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'electron', version: '45.4.1' }));
  fs.writeFileSync(path.join(dir, 'install.js'), installJs);
  return dir;
}

function runStart(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    delete base.ELECTRON_OVERRIDE_DIST_PATH;
    const child = spawn(process.execPath, [startScript], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectParagraph(stderr: string) {
  const text = stderr.trim();
  expect(text.split('\n')).toHaveLength(1);
  expect(text).toMatch(/^Cannot start the desktop app: the Electron 45\.4\.1 binary is not installed/);
  expect(text).toContain('npx install-electron');
  expect(text).toContain('ELECTRON_OVERRIDE_DIST_PATH');
  expect(text).toContain('npm run headless');
  expect(text).not.toMatch(/\n\s+at |Error:/);
}

let mirror: http.Server;
let mirrorUrl = '';

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'start-test-'));
  // A reachable "download host" on loopback, so the script goes on to run install.js.
  mirror = http.createServer((_req, res) => res.end());
  await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((r) => mirror.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('npm start without the Electron binary', () => {
  it('explains what is missing and how to get it when the download host is unreachable', async () => {
    const marker = path.join(tmp, 'install-ran');
    const dir = fakeElectronPackage(`require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`);
    // Port 1 on loopback refuses at once: the "offline" case without touching the network.
    const result = await runStart({ COMPANION_ELECTRON_DIR: dir, ELECTRON_MIRROR: 'http://127.0.0.1:1/' });
    expect(result.code).toBe(1);
    expectParagraph(result.stderr);
    expect(result.stderr).toContain('127.0.0.1 is unreachable');
    expect(fs.existsSync(marker)).toBe(false); // no download attempt when offline
  });

  it('reports a failed download in the same paragraph, without the installer stack trace', async () => {
    const dir = fakeElectronPackage(`console.error(new Error('getaddrinfo ENOTFOUND github.com').stack); process.exit(1);`);
    const result = await runStart({ COMPANION_ELECTRON_DIR: dir, ELECTRON_MIRROR: mirrorUrl });
    expect(result.code).toBe(1);
    expectParagraph(result.stderr);
    expect(result.stderr).toContain('the download failed: getaddrinfo ENOTFOUND github.com.');
  });

  it('gives up on a download that hangs instead of hanging itself', async () => {
    const dir = fakeElectronPackage(`setInterval(() => {}, 1000);`);
    const result = await runStart({ COMPANION_ELECTRON_DIR: dir, ELECTRON_MIRROR: mirrorUrl, COMPANION_ELECTRON_INSTALL_TIMEOUT_MS: '300' });
    expect(result.code).toBe(1);
    expectParagraph(result.stderr);
    expect(result.stderr).toContain('did not finish within');
  });

  it('names ELECTRON_OVERRIDE_DIST_PATH when it points at a folder without Electron', async () => {
    const dir = fakeElectronPackage('process.exit(1)');
    const result = await runStart({ COMPANION_ELECTRON_DIR: dir, ELECTRON_OVERRIDE_DIST_PATH: path.join(tmp, 'nowhere') });
    expect(result.code).toBe(1);
    expectParagraph(result.stderr);
    expect(result.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH does not contain it');
  });
});
