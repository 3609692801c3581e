// A synchronous cross-process lock file (created with `wx`), for the short critical sections of the
// audit log (append, rotate, prune) shared by the server, the app and CLI processes on one data dir.
// A lock left by a killed process is broken at once (its pid is gone) or after `staleMs`.
import { unlinkSync, writeFileSync } from 'node:fs';
import { isStaleLock } from '../lockStaleness';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function withSyncFileLock<T>(lockPath: string, fn: () => T, options: { timeoutMs?: number; staleMs?: number } = {}): T {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const staleMs = options.staleMs ?? 5_000;
  let delay = 1;
  for (;;) {
    try {
      writeFileSync(lockPath, `${process.pid} ${Date.now()}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStaleLock(lockPath, staleMs)) {
        try {
          unlinkSync(lockPath);
        } catch {
          // another process broke it first
        }
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Could not lock ${lockPath}: another process holds it`);
      // Holders keep the lock for a few syscalls; a short blocking wait is cheaper than going async here.
      Atomics.wait(sleeper, 0, 0, delay);
      delay = Math.min(delay * 2, 20);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // broken as stale by someone else; nothing to undo
    }
  }
}
