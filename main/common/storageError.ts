// Turns a failed write in the data dir (disk full, read-only, permission…) into the one error the API, the
// app and the CLI all show: 507 `storage_unavailable`, naming the file, its folder, the cause, and that
// nothing changed. Every persisted write goes through atomicFile.ts, which calls this, so callers need not.
import { basename, dirname } from 'node:path';
import { CompanionError } from './errors';

/** errno codes that mean "this folder cannot be written right now", in words a user can act on. */
const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EIO: 'the disk reported an I/O error',
  ENOENT: 'the folder does not exist',
  ENOTDIR: 'part of the path is not a folder',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open system-wide',
  EBUSY: 'the file is busy',
  EFBIG: 'the file is too large for this file system',
};

/** True for an fs error this module describes (anything else is a bug, not a storage condition). */
export function isStorageFailure(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code in CAUSES;
}

/**
 * The CompanionError for a failed write of `path`, or `err` unchanged when it is not a storage
 * condition (or already a CompanionError). The original error stays reachable as `cause`.
 */
export function toStorageError(err: unknown, path: string): unknown {
  if (err instanceof CompanionError || !isStorageFailure(err)) return err;
  const code = err.code ?? 'EIO';
  const message =
    `Could not save ${basename(path)} in ${dirname(path)}: ${CAUSES[code] ?? 'the write failed'} (${code}). ` +
    'Nothing was changed; free some space or fix the folder\'s permissions, then try again.';
  return new CompanionError('storage_unavailable', message, { cause: err });
}
