// The one interface every secret backend implements (keychain, safeStorage, memory), plus the
// masking rule: a masked hint is the only form of a secret that ever leaves the main process.
import { CompanionError } from '../common/errors';

export type SecretName = 'admin_key' | 'upstream_key' | 'cloud_key';
export const SECRET_NAMES: readonly SecretName[] = ['admin_key', 'upstream_key', 'cloud_key'];

export type SecretBackendKind = 'keychain' | 'safeStorage' | 'memory';

export interface SecretBackendInfo {
  kind: SecretBackendKind;
  /** false when secrets vanish at quit (memory backend); the UI must say so. */
  persistent: boolean;
  /** Human sentence explaining why this backend was chosen; safe to show and log. */
  reason: string;
}

export interface SecretStore {
  readonly info: SecretBackendInfo;
  get(name: SecretName): Promise<string | null>;
  set(name: SecretName, value: string): Promise<void>;
  delete(name: SecretName): Promise<void>;
  /** Deletes every secret this store holds. */
  clear(): Promise<void>;
}

/**
 * "comfy_Ab…x9Q2": keeps the type prefix (up to the first '_' or '-') plus two characters,
 * and the last four. Short secrets reveal nothing but their length class.
 */
export function maskSecret(secret: string): string {
  if (secret.length < 16) return '••••';
  const sep = secret.search(/[_-]/);
  const prefixEnd = sep > 0 && sep <= 12 ? sep + 1 : 0;
  const head = secret.slice(0, prefixEnd + 2);
  const tail = secret.slice(-4);
  // Never show more than half of the secret, whatever its prefix.
  if (head.length + tail.length > secret.length / 2) return `${secret.slice(0, 2)}…${secret.slice(-2)}`;
  return `${head}…${tail}`;
}

/** Rejects values a backend should never store (empty, huge, or with NUL). Message never holds the value. */
export function assertStorableSecret(name: SecretName, value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new CompanionError('invalid_request', `Secret ${name} must be a non-empty string`);
  }
  if (value.length > 4096 || value.includes('\0')) {
    throw new CompanionError('invalid_request', `Secret ${name} is not storable (longer than 4096 characters or contains NUL)`);
  }
}
