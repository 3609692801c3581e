// When a lock file (created with `wx`, holding "<pid> <time>") may be broken: its holder died (a SIGKILL
// mid-write frees it at once), or it is older than `staleMs`. Shared by the key-store and audit-log locks.
import { readFileSync, statSync } from 'node:fs';

export function isStaleLock(lockPath: string, staleMs: number): boolean {
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
