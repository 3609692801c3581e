// The admin key for headless mode: from --api-key / --api-key-file, or generated once into
// <data-dir>/admin.key (mode 0600) and reused by later runs. The key itself is never printed.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../common/atomicFile';

export class KeyFileError extends Error {
  override name = 'KeyFileError';
}

/** Reads a key file (first line, trimmed); a clear error when it is unreadable or empty. */
export function readKeyFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new KeyFileError(`cannot read the ${what} file "${path}" (${code})`);
  }
  const key = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (!key) throw new KeyFileError(`the ${what} file "${path}" is empty`);
  return key;
}

export function generateAdminKey(): string {
  return `comfy_admin_${randomBytes(32).toString('base64url')}`;
}

/** Returns the stored admin key, creating it (atomically, 0600) on first use. */
export function loadOrCreateAdminKey(dataDir: string): { key: string; path: string; created: boolean } {
  const path = join(dataDir, 'admin.key');
  try {
    return { key: readKeyFile(path, 'admin key'), path, created: false };
  } catch (err) {
    if (!(err instanceof KeyFileError) || !/ENOENT/.test(err.message)) throw err;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = generateAdminKey();
  writeFileAtomicSync(path, `${key}\n`, 0o600);
  return { key, path, created: true };
}
