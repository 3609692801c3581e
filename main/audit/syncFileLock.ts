// A synchronous cross-process lock (lockFile.ts), for the short critical sections of the audit log (append,
// rotate, prune) shared by the server, the app and CLI processes on one data dir.
import { releaseLock, tryLock } from '../lockFile';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function withSyncFileLock<T>(lockPath: string, fn: () => T, options: { timeoutMs?: number; staleMs?: number } = {}): T {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const staleMs = options.staleMs ?? 5_000;
  let delay = 1;
  while (!tryLock(lockPath, staleMs)) {
    if (Date.now() > deadline) throw new Error(`Could not lock ${lockPath}: another process holds it`);
    // Holders keep the lock for a few syscalls; a short blocking wait is cheaper than going async here.
    Atomics.wait(sleeper, 0, 0, delay);
    delay = Math.min(delay * 2, 20);
  }
  try {
    return fn();
  } finally {
    releaseLock(lockPath);
  }
}
