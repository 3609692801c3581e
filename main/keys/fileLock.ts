// Cross-process mutual exclusion for read-modify-write of a shared file (CLI and server on one data dir),
// waiting asynchronously (lockFile.ts: `wx` lock file, broken when stale).
import { setTimeout as sleep } from 'node:timers/promises';
import { releaseLock, tryLock } from '../lockFile';
import { toStorageError } from '../storageError';

export interface FileLockOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** A lock older than this (ms) is considered abandoned. */
  staleMs?: number;
}

/** Runs `fn` while holding `lockPath`. Throws if the lock cannot be taken within the timeout. */
export async function withFileLock<T>(lockPath: string, fn: () => T | Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const staleMs = options.staleMs ?? 5_000;
  let delay = 5;
  for (;;) {
    let taken: boolean;
    try {
      taken = tryLock(lockPath, staleMs);
    } catch (err) {
      // A full or read-only data dir fails here first: report it like any other failed write.
      throw toStorageError(err, lockPath.replace(/\.lock$/, ''));
    }
    if (taken) break;
    if (Date.now() > deadline) throw new Error(`Could not lock ${lockPath}: another process holds it`);
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    releaseLock(lockPath);
  }
}
