// Secret backend on Electron safeStorage: each secret is encrypted with the OS-protected key and
// the base64 ciphertext is kept in the settings store. Electron itself is reached only through the
// adapter, so main/app passes the real `safeStorage` and tests pass a fake.
import { CompanionError } from '../common/errors';
import { assertStorableSecret, SECRET_NAMES, type SecretBackendInfo, type SecretName, type SecretStore } from './secretStore';

/** Mirrors the parts of Electron's `safeStorage` we use. */
export interface SafeStorageAdapter {
  isEncryptionAvailable(): boolean;
  /** Linux only in Electron: 'basic_text' means a hard-coded key, i.e. no real protection. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** Where the ciphertexts live: the settings store's `encryptedSecrets` map. */
export interface EncryptedSecretsSink {
  read(): Readonly<Record<string, string>>;
  write(map: Record<string, string>): void | Promise<void>;
}

export class SafeStorageSecretStore implements SecretStore {
  readonly info: SecretBackendInfo;
  readonly #safe: SafeStorageAdapter;
  readonly #sink: EncryptedSecretsSink;

  constructor(safeStorage: SafeStorageAdapter, sink: EncryptedSecretsSink, reason?: string) {
    this.#safe = safeStorage;
    this.#sink = sink;
    this.info = {
      kind: 'safeStorage',
      persistent: true,
      reason: reason ?? 'Secrets are encrypted with Electron safeStorage and kept in the settings file',
    };
  }

  async get(name: SecretName): Promise<string | null> {
    const cipher = this.#sink.read()[name];
    if (cipher === undefined) return null;
    try {
      return this.#safe.decryptString(Buffer.from(cipher, 'base64'));
    } catch (err) {
      // Typically the OS key changed (new user profile, restored backup): the value is unrecoverable.
      throw new CompanionError('unavailable', `Stored ${name} could not be decrypted; please enter it again`, {
        cause: err,
      });
    }
  }

  async set(name: SecretName, value: string): Promise<void> {
    assertStorableSecret(name, value);
    let cipher: string;
    try {
      cipher = this.#safe.encryptString(value).toString('base64');
    } catch (err) {
      throw new CompanionError('unavailable', `safeStorage could not encrypt ${name}`, { cause: err });
    }
    await this.#sink.write({ ...this.#sink.read(), [name]: cipher });
  }

  async delete(name: SecretName): Promise<void> {
    const current = this.#sink.read();
    if (!(name in current)) return;
    const { [name]: _removed, ...rest } = current;
    await this.#sink.write(rest);
  }

  async clear(): Promise<void> {
    const current = this.#sink.read();
    const rest = Object.fromEntries(Object.entries(current).filter(([k]) => !SECRET_NAMES.includes(k as SecretName)));
    await this.#sink.write(rest);
  }
}
