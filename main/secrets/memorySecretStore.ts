// Session-only secret backend: a Map that dies with the process. Used when no OS keychain and no
// real safeStorage encryption exist, so nothing is ever written to disk in the clear.
import { assertStorableSecret, type SecretBackendInfo, type SecretName, type SecretStore } from './secretStore';

export class MemorySecretStore implements SecretStore {
  readonly info: SecretBackendInfo;
  readonly #values = new Map<SecretName, string>();

  constructor(reason = 'Secrets are kept for this session only') {
    this.info = { kind: 'memory', persistent: false, reason };
  }

  async get(name: SecretName): Promise<string | null> {
    return this.#values.get(name) ?? null;
  }

  async set(name: SecretName, value: string): Promise<void> {
    assertStorableSecret(name, value);
    this.#values.set(name, value);
  }

  async delete(name: SecretName): Promise<void> {
    this.#values.delete(name);
  }

  async clear(): Promise<void> {
    this.#values.clear();
  }
}
