// Which secret backend the app ends up with, and what it tells the user: keychain first, then
// Electron safeStorage with real encryption, then session-only memory.
import { describe, expect, it } from 'vitest';
import { chooseSecretStore } from '../../main/secrets/chooseSecretStore';
import type { KeyringEntryFactory } from '../../main/secrets/keychainSecretStore';
import type { EncryptedSecretsSink, SafeStorageAdapter } from '../../main/secrets/safeStorageSecretStore';
import { maskSecret } from '../../main/secrets/secretStore';

function mapKeyring(): KeyringEntryFactory {
  const data = new Map<string, string>();
  return (service, account) => ({
    setPassword: (p) => void data.set(`${service}/${account}`, p),
    getPassword: () => data.get(`${service}/${account}`) ?? null,
    deletePassword: () => data.delete(`${service}/${account}`),
  });
}
const noSecretService: KeyringEntryFactory = () => {
  throw new Error('Platform failure: DBus error: no Secret Service on D-Bus\nmore detail');
};
function fakeSafeStorage(backend: string, available = true): SafeStorageAdapter {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (s) => Buffer.from(s, 'utf8').reverse(),
    decryptString: (b) => Buffer.from(b).reverse().toString('utf8'),
  };
}
function sink(): EncryptedSecretsSink {
  let map: Record<string, string> = {};
  return { read: () => map, write: (m) => void (map = m) };
}

describe('choosing the secret backend', () => {
  it('a working keychain is used first and is persistent', async () => {
    const store = await chooseSecretStore({ keyring: mapKeyring(), safeStorage: fakeSafeStorage('gnome_libsecret'), encryptedSecrets: sink(), platform: 'linux' });
    expect(store.info.kind).toBe('keychain');
    expect(store.info.persistent).toBe(true);
  });

  it('keychain unavailable → Electron safeStorage, and the reason names both', async () => {
    const store = await chooseSecretStore({ keyring: noSecretService, safeStorage: fakeSafeStorage('gnome_libsecret'), encryptedSecrets: sink(), platform: 'linux' });
    expect(store.info.kind).toBe('safeStorage');
    expect(store.info.persistent).toBe(true);
    expect(store.info.reason).toBe(
      'OS keychain unavailable: Platform failure: DBus error: no Secret Service on D-Bus; using Electron safeStorage (gnome_libsecret)',
    );
  });

  it('a keychain that accepts writes but reads back something else is not trusted', async () => {
    const liar: KeyringEntryFactory = () => ({ setPassword: () => undefined, getPassword: () => 'other', deletePassword: () => true });
    const store = await chooseSecretStore({ keyring: liar, safeStorage: fakeSafeStorage('kwallet5'), encryptedSecrets: sink(), platform: 'linux' });
    expect(store.info.kind).toBe('safeStorage');
    expect(store.info.reason).toContain('did not read back');
  });

  it('a keychain that never answers is given up on after the probe timeout', async () => {
    const hanging: KeyringEntryFactory = () => ({ setPassword: () => new Promise<void>(() => {}), getPassword: () => null, deletePassword: () => true });
    const store = await chooseSecretStore({ keyring: hanging, safeStorage: fakeSafeStorage('kwallet5'), encryptedSecrets: sink(), platform: 'linux', probeTimeoutMs: 20 });
    expect(store.info.kind).toBe('safeStorage');
    expect(store.info.reason).toContain('no answer within 20 ms');
  });

  it('safeStorage on basic_text (Linux without a keyring) → memory, flagged non-persistent with the reason', async () => {
    const written = sink();
    const store = await chooseSecretStore({ keyring: noSecretService, safeStorage: fakeSafeStorage('basic_text'), encryptedSecrets: written, platform: 'linux' });
    expect(store.info.kind).toBe('memory');
    expect(store.info.persistent).toBe(false);
    expect(store.info.reason).toContain('OS keychain unavailable');
    expect(store.info.reason).toContain('basic_text');
    expect(store.info.reason).toContain('this session only');
    await store.set('cloud_key', 'comfyui-0123456789abcdef');
    expect(written.read()).toEqual({});
  });

  it('basic_text is a Linux-only notion: on macOS the backend check does not apply', async () => {
    const store = await chooseSecretStore({ keyring: noSecretService, safeStorage: fakeSafeStorage('basic_text'), encryptedSecrets: sink(), platform: 'darwin' });
    expect(store.info.kind).toBe('safeStorage');
  });

  it('safeStorage without encryption available → memory', async () => {
    const store = await chooseSecretStore({ keyring: noSecretService, safeStorage: fakeSafeStorage('gnome_libsecret', false), encryptedSecrets: sink(), platform: 'linux' });
    expect(store.info.kind).toBe('memory');
    expect(store.info.reason).toContain('encryption is unavailable');
  });

  it('headless (no Electron) without a keychain → memory, saying safeStorage is not available here', async () => {
    const store = await chooseSecretStore({ keyring: noSecretService });
    expect(store.info).toEqual({
      kind: 'memory',
      persistent: false,
      reason: expect.stringContaining('safeStorage is not available here') as unknown as string,
    });
  });

  it('the keychain can be switched off explicitly', async () => {
    const store = await chooseSecretStore({ keyring: null, safeStorage: fakeSafeStorage('gnome_libsecret'), encryptedSecrets: sink(), platform: 'linux' });
    expect(store.info.kind).toBe('safeStorage');
    expect(store.info.reason).toContain('OS keychain unavailable: disabled');
  });
});

describe('masked hints', () => {
  const key = 'comfy_Ab3dEfGhIjKlMnOpQrStUvWxYz0123456789x9Q2';
  it('keeps the prefix, two characters and the last four', () => {
    expect(maskSecret(key)).toBe('comfy_Ab…x9Q2');
    expect(maskSecret('comfyui-abcdefghijklmnopqrstuvwxyz')).toBe('comfyui-ab…wxyz');
  });
  it('never shows more than half of a secret', () => {
    for (const s of [key, 'comfyui-0123456789abcdef', 'abcdefghijklmnop', 'a_bcdefghijklmnopqrstu', 'x'.repeat(16)]) {
      const visible = maskSecret(s).replace(/[…•]/g, '');
      expect(visible.length).toBeLessThanOrEqual(s.length / 2);
    }
  });
  it('short secrets show nothing at all', () => {
    expect(maskSecret('hunter2')).toBe('••••');
    expect(maskSecret('')).toBe('••••');
  });
});
