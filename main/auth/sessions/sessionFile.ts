// On-disk form of "remember me" sessions: <dataDir>/sessions.json holds only SHA-256 hashes of the
// session ids (a stolen file cannot be replayed as a cookie), written atomically with mode 0600.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../../common/atomicFile';

export const SESSIONS_FILE = 'sessions.json';

const storedSessionSchema = z.object({
  /** base64url SHA-256 of the cookie value. */
  id_hash: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** The access key the session acts as; null for the admin key. */
  key_id: z.string().min(1).nullable(),
  /** Identifies the admin key an admin session was opened with (see adminSessionTag). */
  admin_tag: z.string().nullable(),
  created_ms: z.number(),
  expires_ms: z.number(),
});
export type StoredSession = z.infer<typeof storedSessionSchema>;

const sessionFileSchema = z.object({ version: z.literal(1), sessions: z.array(storedSessionSchema) });

/** Reads the file; a missing file is empty, an unreadable one is reported and treated as empty (sessions are disposable). */
export function readSessionFile(path: string): { sessions: StoredSession[]; error: Error | null } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: [], error: null };
    return { sessions: [], error: err as Error };
  }
  try {
    const parsed = sessionFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { sessions: parsed.data.sessions, error: null };
  } catch {
    /* not JSON: reported below */
  }
  return { sessions: [], error: new Error(`Session file ${path} is unreadable; remembered browser logins were dropped.`) };
}

export function writeSessionFile(path: string, sessions: readonly StoredSession[]): void {
  writeFileAtomicSync(path, `${JSON.stringify({ version: 1, sessions }, null, 2)}\n`, 0o600);
}
