// Cross-process mutual exclusion for read-modify-write of a shared file (CLI and server on one
// data dir): a lock file created with the exclusive `wx` flag, retried, and broken when stale.
import { readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

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
      writeFileSync(lockPath, `${process.pid} ${Date.now()}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(lockPath, staleMs)) {
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

function isStale(lockPath: string, staleMs: number): boolean {
  try {
    const [pidText] = readFileSync(lockPath, 'utf8').split(' ');
    const pid = Number(pidText);
    // A holder that died (e.g. SIGKILL mid-write) frees its lock at once, not after staleMs.
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) return true;
    return Date.now() - statSync(lockPath).mtimeMs > staleMs;
  } catch {
    // Vanished or half-written by its creator: treat as not stale, the retry will sort it out.
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
