// Picks the secret backend at start-up, best first: OS keychain (probed with a real round trip),
// then Electron safeStorage (only with real encryption), then session-only memory. The reason
// sentence travels with the store so the UI can tell the user where their secrets live.
import {
  KEYCHAIN_SERVICE,
  KeychainSecretStore,
  describeKeychainError,
  loadNapiKeyring,
  probeKeychain,
  type KeyringEntryFactory,
} from './keychainSecretStore';
import { MemorySecretStore } from './memorySecretStore';
import { SafeStorageSecretStore, type EncryptedSecretsSink, type SafeStorageAdapter } from './safeStorageSecretStore';
import type { SecretStore } from './secretStore';

export interface ChooseSecretStoreOptions {
  /** undefined: load @napi-rs/keyring; null: do not try the keychain (e.g. `--no-keychain`). */
  keyring?: KeyringEntryFactory | null;
  /** Keychain service name; tests use a unique one per run. */
  service?: string;
  /** Electron's safeStorage (desktop app only). */
  safeStorage?: SafeStorageAdapter | null;
  /** Where safeStorage ciphertexts are kept; required for the safeStorage backend. */
  encryptedSecrets?: EncryptedSecretsSink;
  platform?: NodeJS.Platform;
  probeTimeoutMs?: number;
}

export async function chooseSecretStore(options: ChooseSecretStoreOptions = {}): Promise<SecretStore> {
  const service = options.service ?? KEYCHAIN_SERVICE;
  const platform = options.platform ?? process.platform;

  let keychainWhy: string;
  if (options.keyring === null) {
    keychainWhy = 'disabled';
  } else {
    let factory: KeyringEntryFactory | undefined = options.keyring;
    keychainWhy = '';
    if (factory === undefined) {
      try {
        factory = await loadNapiKeyring();
      } catch (err) {
        keychainWhy = `keyring library failed to load (${describeKeychainError(err)})`;
      }
    }
    if (factory) {
      const probe = await probeKeychain(factory, service, options.probeTimeoutMs);
      if (probe.ok) return new KeychainSecretStore(factory, service);
      keychainWhy = probe.why;
    }
  }
  const lead = `OS keychain unavailable: ${keychainWhy}`;

  const safe = options.safeStorage;
  if (!safe || !options.encryptedSecrets) {
    return new MemorySecretStore(
      `${lead}; Electron safeStorage is not available here; secrets are kept for this session only`,
    );
  }
  if (!safe.isEncryptionAvailable()) {
    return new MemorySecretStore(
      `${lead}; Electron safeStorage encryption is unavailable; secrets are kept for this session only`,
    );
  }
  const backend = platform === 'linux' ? safe.getSelectedStorageBackend?.() : undefined;
  if (backend === 'basic_text') {
    return new MemorySecretStore(
      `${lead}; Electron safeStorage would only use a hard-coded key (basic_text), so secrets are kept for this session only`,
    );
  }
  const via = backend ? ` (${backend})` : '';
  return new SafeStorageSecretStore(safe, options.encryptedSecrets, `${lead}; using Electron safeStorage${via}`);
}
