// A cross-process lock file: created with `wx` holding "<pid> <time>", broken when its holder died (a SIGKILL
// mid-write frees it at once) or it is older than `staleMs`. The key store's lock (keys/fileLock.ts, waits
// asynchronously) and the audit log's (audit/syncFileLock.ts, waits blocking) take it through tryLock.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

/** Takes the lock if it is free or stale; false while another live process holds it. Other errors throw. */
export function tryLock(lockPath: string, staleMs: number): boolean {
  for (;;) {
    try {
      createLockFile(lockPath);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!isStaleLock(lockPath, staleMs)) return false;
      releaseLock(lockPath); // another process may have broken it first: then the next try decides
    }
  }
}

/** Gives the lock back; a lock already gone (broken as stale by another process) is fine. */
export function releaseLock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    // nothing to undo
  }
}

/** Creates the lock holding our pid; one created but not filled (disk full) is removed again, or it would look held. */
function createLockFile(lockPath: string): void {
  const fd = openSync(lockPath, 'wx', 0o600);
  try {
    writeSync(fd, `${process.pid} ${Date.now()}\n`);
  } catch (err) {
    closeSync(fd);
    releaseLock(lockPath);
    throw err;
  }
  closeSync(fd);
}

function isStaleLock(lockPath: string, staleMs: number): boolean {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').split(' ')[0]);
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
