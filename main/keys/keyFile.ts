// Reading keys.json: parse and validate the whole file, or refuse with an error that names the
// file and its backup. Never "repairs" anything: a corrupt store is left for the user to restore.
import { existsSync, readFileSync } from 'node:fs';
import { KEY_FILE_VERSION, keyFileSchema, migrateKeyFile, type KeyFile } from './keyRecord';

export interface KeyFileContent {
  /** The raw text, or null when the file does not exist yet. */
  text: string | null;
  file: KeyFile;
}

/** keys.json exists but cannot be read; the file is left untouched for the user to repair. */
export class KeyStoreCorruptError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    const bak = `${path}.bak`;
    super(
      `Key store ${path} is unreadable (${detail}). It was left untouched. ` +
        (existsSync(bak) ? `The last good version is in ${bak}; ` : '') +
        'repair or restore the file, then start again.',
    );
    this.name = 'KeyStoreCorruptError';
  }
}

/** Reads and validates keys.json; a missing file is an empty store. Throws KeyStoreCorruptError. */
export function readKeyFile(path: string): KeyFileContent {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: null, file: { version: KEY_FILE_VERSION, keys: [] } };
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyStoreCorruptError(path, 'not valid JSON');
  }
  const parsed = keyFileSchema.safeParse(migrateKeyFile(json));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KeyStoreCorruptError(path, `unexpected content at ${issue?.path.join('.') || 'top level'}`);
  }
  const ids = new Set(parsed.data.keys.map((k) => k.key_id));
  if (ids.size !== parsed.data.keys.length) throw new KeyStoreCorruptError(path, 'duplicate key ids');
  return { text, file: parsed.data };
}
