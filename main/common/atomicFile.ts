// Crash-safe file replacement: write a temp file in the same directory, fsync it, rename it over
// the target, then fsync the directory. A reader sees either the old or the new file, never half.
// A failed write (disk full, read-only…) leaves the old file and throws `storage_unavailable` (storageError.ts).
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { toStorageError } from './storageError';

export function writeFileAtomicSync(path: string, data: string, mode = 0o600): void {
  try {
    replaceFile(path, data, mode);
  } catch (err) {
    throw toStorageError(err, path);
  }
}

function replaceFile(path: string, data: string, mode: number): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      writeAll(fd, Buffer.from(data, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temp file may already be gone; the original error is what matters
    }
    throw err;
  }
  fsyncDir(dir);
}

/** write(2) may write less than asked when the disk fills; loop so a short write ends in ENOSPC, never a truncated file. */
function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** fsyncs a folder so a rename or unlink in it is durable. */
export function fsyncDir(dir: string): void {
  // Makes the rename itself durable. Not supported on every platform (Windows), hence best effort.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
