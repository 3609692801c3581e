// One behavioural suite for every secret backend (real OS keychain via Secret Service, Electron
// safeStorage into a real settings file, session memory), run through the shared interface.
// Run the keychain part inside a D-Bus session with an unlocked gnome-keyring:
//   dbus-run-session -- bash -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; npx vitest run test/integration/secrets.keychain.test.ts'
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CompanionError } from '../../main/common/errors';
import { chooseSecretStore } from '../../main/secrets/chooseSecretStore';
import { KeychainSecretStore, loadNapiKeyring, probeKeychain, type KeyringEntryFactory } from '../../main/secrets/keychainSecretStore';
import { MemorySecretStore } from '../../main/secrets/memorySecretStore';
import { SafeStorageSecretStore, type SafeStorageAdapter } from '../../main/secrets/safeStorageSecretStore';
import type { SecretStore } from '../../main/secrets/secretStore';
import { createSettingsStore } from '../../main/settings/settingsStore';

// A distinct keychain service per run, so parallel runs and leftovers never collide.
const SERVICE = `comfyui-auth-companion-test-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
const keyringExpected = process.env.COMPANION_KEYRING_EXPECTED === '1';
const keyring: KeyringEntryFactory | null = await loadNapiKeyring().catch(() => null);
const probe = keyring ? await probeKeychain(keyring, SERVICE, 5000) : ({ ok: false, why: 'keyring library failed to load' } as const);
const keychainWhy = probe.ok ? '' : probe.why;
if (!probe.ok && !keyringExpected) console.warn(`OS keychain tests skipped (${keychainWhy}). To run them: install gnome-keyring and dbus-x11, then use npm test (it starts a throwaway D-Bus session and keyring).`);

/** A stand-in for Electron's safeStorage: real AES-GCM with a key only this process holds. */
function aesSafeStorage(key = crypto.randomBytes(32)): SafeStorageAdapter {
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const tempDirs: string[] = [];
const keychainStores: SecretStore[] = [];
afterAll(async () => {
  for (const s of keychainStores) await s.clear().catch(() => undefined);
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Backend {
  name: string;
  skip: boolean;
  /** A fresh store, and a way to open a second one over the same persistent data (null if none). */
  open(): { store: SecretStore; reopen: () => SecretStore };
}

const backends: Backend[] = [
  {
    name: `OS keychain (Secret Service)${probe.ok ? '' : ` — skipped: ${keychainWhy}`}`,
    skip: !probe.ok,
    open() {
      const service = `${SERVICE}-${crypto.randomBytes(3).toString('hex')}`;
      const make = () => {
        const s = new KeychainSecretStore(keyring!, service);
        keychainStores.push(s);
        return s;
      };
      return { store: make(), reopen: make };
    },
  },
  {
    name: 'Electron safeStorage into the settings file',
    skip: false,
    open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-secrets-'));
      tempDirs.push(dir);
      const safe = aesSafeStorage();
      const make = () => new SafeStorageSecretStore(safe, createSettingsStore({ cwd: dir }).encryptedSecretsSink());
      return { store: make(), reopen: make };
    },
  },
  {
    name: 'session memory',
    skip: false,
    open() {
      return { store: new MemorySecretStore(), reopen: () => new MemorySecretStore() };
    },
  },
];

describe('the OS keychain on this machine', () => {
  it.runIf(keyringExpected)('is usable (COMPANION_KEYRING_EXPECTED=1 demands a working Secret Service)', () => {
    expect(probe, `the OS keychain probe failed: ${keychainWhy}`).toEqual({ ok: true });
  });

  it.skipIf(!probe.ok)('is the backend chooseSecretStore picks first', async () => {
    const store = await chooseSecretStore({ service: SERVICE, safeStorage: aesSafeStorage(), encryptedSecrets: { read: () => ({}), write: () => undefined } });
    keychainStores.push(store);
    expect(store.info).toMatchObject({ kind: 'keychain', persistent: true });
  });
});

describe.each(backends)('secret store: $name', (backend) => {
  const its = it.skipIf(backend.skip);

  its('an unset secret reads as null', async () => {
    const { store } = backend.open();
    expect(await store.get('cloud_key')).toBeNull();
  });

  its('a saved secret reads back exactly, and saving again replaces it', async () => {
    const { store } = backend.open();
    await store.set('upstream_key', 'first-value-ü-✓-0123456789');
    expect(await store.get('upstream_key')).toBe('first-value-ü-✓-0123456789');
    await store.set('upstream_key', 'second-value');
    expect(await store.get('upstream_key')).toBe('second-value');
  });

  its('the three secrets are independent: deleting one leaves the others', async () => {
    const { store } = backend.open();
    await store.set('admin_key', 'admin-secret-value');
    await store.set('upstream_key', 'upstream-secret-value');
    await store.set('cloud_key', 'comfyui-cloudsecretvalue0123');
    await store.delete('upstream_key');
    expect(await store.get('upstream_key')).toBeNull();
    expect(await store.get('admin_key')).toBe('admin-secret-value');
    expect(await store.get('cloud_key')).toBe('comfyui-cloudsecretvalue0123');
    await store.delete('upstream_key'); // deleting twice is fine
  });

  its('clear() forgets every secret', async () => {
    const { store } = backend.open();
    await store.set('admin_key', 'a-value');
    await store.set('cloud_key', 'c-value');
    await store.clear();
    expect(await store.get('admin_key')).toBeNull();
    expect(await store.get('cloud_key')).toBeNull();
  });

  its('an empty or oversized value is refused and the error does not contain it', async () => {
    const { store } = backend.open();
    await expect(store.set('cloud_key', '')).rejects.toMatchObject({ code: 'invalid_request' });
    const huge = `SECRETMARKER${'x'.repeat(5000)}`;
    const err = await store.set('cloud_key', huge).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompanionError);
    expect(String((err as Error).message)).not.toContain('SECRETMARKER');
    expect(await store.get('cloud_key')).toBeNull();
  });

  its('a second store over the same backend sees the secret only if the backend is persistent', async () => {
    const { store, reopen } = backend.open();
    await store.set('admin_key', 'persisted-admin-value');
    const again = reopen();
    expect(await again.get('admin_key')).toBe(store.info.persistent ? 'persisted-admin-value' : null);
  });
});

describe('safeStorage specifics', () => {
  it('a ciphertext that no longer decrypts (OS key changed) is reported without any value', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-secrets-'));
    tempDirs.push(dir);
    const settings = createSettingsStore({ cwd: dir });
    await new SafeStorageSecretStore(aesSafeStorage(), settings.encryptedSecretsSink()).set('cloud_key', 'comfyui-lostsecret0123456');
    const err = await new SafeStorageSecretStore(aesSafeStorage(), settings.encryptedSecretsSink()).get('cloud_key').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unavailable', message: 'Stored cloud_key could not be decrypted; please enter it again' });
  });
});
