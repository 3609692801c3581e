// Secret backend on the OS keychain (macOS Keychain, Windows Credential Manager, Linux Secret
// Service) through @napi-rs/keyring, reached via a factory so tests can inject a broken keychain.
import { CompanionError } from '../common/errors';
import { assertStorableSecret, SECRET_NAMES, type SecretBackendInfo, type SecretName, type SecretStore } from './secretStore';

export const KEYCHAIN_SERVICE = 'comfyui-auth-companion';

/** The part of @napi-rs/keyring's Entry/AsyncEntry we use; sync or async implementations both fit. */
export interface KeyringEntry {
  setPassword(password: string): Promise<void> | void;
  getPassword(): Promise<string | null> | string | null;
  deletePassword(): Promise<boolean> | boolean;
}

/** Creates the entry for (service, account). May throw when no keychain exists (no D-Bus, …). */
export type KeyringEntryFactory = (service: string, account: string) => KeyringEntry;

/**
 * The real keychain. Loaded lazily so a missing native binary is a fallback reason, not a crash.
 * On Linux the entry is pinned to the Secret Service: the library's default fallback is the kernel
 * keyring, which forgets everything at reboot and would wrongly look persistent.
 */
export async function loadNapiKeyring(): Promise<KeyringEntryFactory> {
  const { AsyncEntry } = await import('@napi-rs/keyring');
  return (service, account) => new AsyncEntry(service, account, { linux: { store: 'secret-service' } });
}

/** First line of a keychain error, short; these messages name services and D-Bus, never values. */
export function describeKeychainError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = (text.split('\n')[0] ?? '').trim();
  return line.length > 160 ? `${line.slice(0, 157)}…` : line || 'unknown error';
}

export type KeychainProbe = { ok: true } | { ok: false; why: string };

/** Writes, reads back and deletes a random probe entry; only a full round trip counts as working. */
export async function probeKeychain(
  factory: KeyringEntryFactory,
  service: string,
  timeoutMs = 5000,
): Promise<KeychainProbe> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<KeychainProbe>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, why: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  const roundTrip = (async (): Promise<KeychainProbe> => {
    try {
      const entry = factory(service, '__probe__');
      const value = `probe-${Math.random().toString(36).slice(2)}`;
      await entry.setPassword(value);
      const back = await entry.getPassword();
      await entry.deletePassword();
      return back === value ? { ok: true } : { ok: false, why: 'a written entry did not read back' };
    } catch (err) {
      return { ok: false, why: describeKeychainError(err) };
    }
  })();
  try {
    return await Promise.race([roundTrip, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class KeychainSecretStore implements SecretStore {
  readonly info: SecretBackendInfo;
  readonly #factory: KeyringEntryFactory;
  readonly #service: string;

  constructor(factory: KeyringEntryFactory, service = KEYCHAIN_SERVICE, reason?: string) {
    this.#factory = factory;
    this.#service = service;
    this.info = {
      kind: 'keychain',
      persistent: true,
      reason: reason ?? `Secrets are kept in the OS keychain (service "${service}")`,
    };
  }

  async get(name: SecretName): Promise<string | null> {
    return this.#run(name, 'read', async (entry) => (await entry.getPassword()) ?? null);
  }

  async set(name: SecretName, value: string): Promise<void> {
    assertStorableSecret(name, value);
    await this.#run(name, 'save', async (entry) => {
      await entry.setPassword(value);
    });
  }

  async delete(name: SecretName): Promise<void> {
    await this.#run(name, 'delete', async (entry) => {
      await entry.deletePassword();
    });
  }

  async clear(): Promise<void> {
    for (const name of SECRET_NAMES) await this.delete(name);
  }

  async #run<T>(name: SecretName, verb: string, op: (entry: KeyringEntry) => Promise<T>): Promise<T> {
    try {
      return await op(this.#factory(this.#service, name));
    } catch (err) {
      if (err instanceof CompanionError) throw err;
      throw new CompanionError('unavailable', `OS keychain could not ${verb} ${name}: ${describeKeychainError(err)}`, {
        cause: err,
      });
    }
  }
}
