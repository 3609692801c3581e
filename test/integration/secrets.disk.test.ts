// After secrets are saved, no file under the data dir holds them in the clear (nor base64-encoded),
// whichever backend is in use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseSecretStore } from '../../main/secrets/chooseSecretStore';
import type { SafeStorageAdapter } from '../../main/secrets/safeStorageSecretStore';
import { SECRET_NAMES } from '../../main/secrets/secretStore';
import { createSettingsStore } from '../../main/settings/settingsStore';

function xorSafeStorage(backend: string): SafeStorageAdapter {
  const key = crypto.randomBytes(32);
  const xor = (b: Buffer) => Buffer.from(b.map((byte, i) => byte ^ key[i % 32]!));
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => xor(Buffer.from(s, 'utf8')),
    decryptString: (b) => xor(b).toString('utf8'),
  };
}

/** Every byte of every file under dir, as one string per file. */
function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(full, fs.readFileSync(full).toString('latin1'));
  }
  return out;
}

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each([
  { label: 'safeStorage (keychain missing)', backend: 'gnome_libsecret', expected: 'safeStorage' },
  { label: 'memory (safeStorage on basic_text)', backend: 'basic_text', expected: 'memory' },
])('no secret plaintext on disk: $label', ({ backend, expected }) => {
  it('files written under the data dir after set() contain none of the secrets', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-disk-'));
    const settings = createSettingsStore({ cwd: dir });
    const store = await chooseSecretStore({
      keyring: () => {
        throw new Error('no keychain in this test');
      },
      safeStorage: xorSafeStorage(backend),
      encryptedSecrets: settings.encryptedSecretsSink(),
      platform: 'linux',
    });
    expect(store.info.kind).toBe(expected);
    const secrets = SECRET_NAMES.map((name) => ({ name, value: `${name}-PLAINTEXT-${crypto.randomBytes(12).toString('hex')}` }));
    for (const { name, value } of secrets) await store.set(name, value);
    settings.update({ theme: 'dark' }); // more writes after the secrets, as the app would do

    const files = readTree(dir);
    expect(files.size).toBeGreaterThan(0);
    for (const [file, content] of files) {
      for (const { value } of secrets) {
        expect(content.includes(value), `${file} holds a secret`).toBe(false);
        expect(content.includes(Buffer.from(value).toString('base64')), `${file} holds a base64 secret`).toBe(false);
      }
    }
    // The secrets are still retrievable through the store.
    for (const { name, value } of secrets) expect(await store.get(name)).toBe(value);
    const saved = settings.get().encryptedSecrets;
    expect(Object.keys(saved).sort()).toEqual(expected === 'safeStorage' ? [...SECRET_NAMES].sort() : []);
  });
});
