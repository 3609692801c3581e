// Cross-process mutual exclusion for read-modify-write of a shared file (CLI and server on one
// data dir): a lock file created with the exclusive `wx` flag, retried, and broken when stale.
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { toStorageError } from '../storageError';
import { isStaleLock } from '../lockStaleness';

export interface FileLockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** A lock older than this (ms) is considered abandoned. */
  staleMs?: number;
}

/** Runs `fn` while holding `lockPath`. Throws if the lock cannot be taken within the timeout. */
export async function withFileLock<T>(lockPath: string, fn: () => T | Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 5_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    try {
      createLockFile(lockPath);
      break;
    } catch (err) {
      // A full or read-only data dir fails here first: report it like any other failed write.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(err, lockPath.replace(/\.lock$/, ''));
      if (isStaleLock(lockPath, staleMs)) {
        try {
          unlinkSync(lockPath);
        } catch {
          // someone else broke it first
        }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Could not lock ${lockPath}: another process holds it`);
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already removed (broken as stale by another process); nothing to undo
    }
  }
}

/** Creates the lock holding our pid; a lock we created but could not fill (disk full) is removed again, or it would look held. */
function createLockFile(lockPath: string): void {
  const fd = openSync(lockPath, 'wx', 0o600);
  try {
    writeSync(fd, `${process.pid} ${Date.now()}\n`);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(lockPath);
    } catch {
      // nothing more to undo
    }
    throw err;
  }
  closeSync(fd);
}
