// Packaging: the afterPack hook really flips the fuses in an Electron-like binary, and the
// electron-builder config and icons are what the release needs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { shippedNodeFlags } from '../../scripts/nodeFlags.mjs';

const require = createRequire(import.meta.url);
const root = path.resolve(__dirname, '../..');
const afterPack = require('../../build/afterPack.cjs') as ((ctx: unknown) => Promise<void>) & {
  electronBinaryPath(ctx: unknown): string;
};

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// The fuse wire stores ASCII '0'/'1' (@electron/fuses' FuseState, not exported from its index).
const FuseState = { DISABLE: 48, ENABLE: 49 } as const;

/** A file with Electron's fuse wire at its stock settings (RunAsNode etc. enabled). */
function fakeElectronBinary(file: string) {
  const stock = '10110001'; // RunAsNode, CookieEnc, NodeOptions, Inspect, AsarIntegrity, OnlyAsar, V8Snapshot, FileProtocol
  fs.writeFileSync(file, Buffer.concat([Buffer.from('ELF…padding…'), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from(stock), Buffer.from('…rest')]));
}

describe('afterPack fuses hook', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect and turns on cookie encryption, asar integrity and asar-only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuses-'));
    const binary = path.join(dir, 'comfyui-auth-companion');
    fakeElectronBinary(binary);
    const context = { appOutDir: dir, electronPlatformName: 'linux', arch: 1, packager: { appInfo: { productFilename: 'ComfyUI Auth Companion' }, executableName: 'comfyui-auth-companion' } };
    expect(afterPack.electronBinaryPath(context)).toBe(binary);
    const before = await getCurrentFuseWire(binary);
    expect(before[FuseV1Options.RunAsNode]).toBe(FuseState.ENABLE);
    await afterPack(context);
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(FuseState.DISABLE);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the binary inside the .app on macOS and the .exe on Windows', () => {
    const packager = { appInfo: { productFilename: 'ComfyUI Auth Companion' }, executableName: 'x' };
    expect(afterPack.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', packager })).toBe('/o/ComfyUI Auth Companion.app');
    expect(afterPack.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', packager })).toBe(path.join('/o', 'ComfyUI Auth Companion.exe'));
  });
});

describe('electron-builder config and icons', () => {
  const yml = fs.readFileSync(path.join(root, 'build/electron-builder.yml'), 'utf8');

  it('names the app, targets and hardening the release needs', () => {
    for (const line of [
      'appId: org.comfyui.authcompanion',
      'productName: ComfyUI Auth Companion',
      'output: release',
      'afterPack: build/afterPack.cjs',
      'hardenedRuntime: true',
      'entitlements: build/entitlements.mac.plist',
      'category: Graphics;Development',
      'target: [AppImage, deb]',
      'target: [nsis]',
      'target: [dmg]',
      '- node_modules/@napi-rs/keyring*/**',
    ]) {
      expect(yml, line).toContain(line);
    }
  });

  it('launches the Linux app with the V8 flags the proxy ships with (the desktop entry carries them)', () => {
    expect(yml).toContain(`executableArgs: ["--js-flags=${shippedNodeFlags(root).join(' ')}"]`);
  });

  it('every file the config points at exists', () => {
    for (const rel of ['build/afterPack.cjs', 'build/entitlements.mac.plist', 'build/icons/256x256.png', 'build/icons/1024x1024.png']) {
      expect(fs.existsSync(path.join(root, rel)), rel).toBe(true);
    }
  });

  it('has app icons in every size and a tray icon (+@2x, +Template) per state', () => {
    const pngSize = (file: string) => {
      const b = fs.readFileSync(file);
      return [b.readUInt32BE(16), b.readUInt32BE(20)];
    };
    for (const n of [16, 32, 48, 64, 128, 256, 512, 1024]) expect(pngSize(path.join(root, `build/icons/${n}x${n}.png`))).toEqual([n, n]);
    for (const state of ['running', 'upstream-down', 'paused', 'error']) {
      for (const suffix of ['', 'Template']) {
        expect(pngSize(path.join(root, `build/tray/tray-${state}${suffix}.png`))).toEqual([16, 16]);
        expect(pngSize(path.join(root, `build/tray/tray-${state}${suffix}@2x.png`))).toEqual([32, 32]);
      }
    }
  });
});
