// A cross-process lock file (CLI, server and app on one data dir): created with `wx` holding "<pid> <time>",
// broken when its holder died (a SIGKILL mid-write frees it at once) or it is older than `staleMs`. Two ways to
// wait for it: withFileLock waits asynchronously (the key store's read-modify-write), withFileLockSync blocks
// for a few milliseconds at a time (the audit log's append, rotate and prune: a few syscalls each).
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { toStorageError } from './storageError';

export interface FileLockOptions {
  /** Give up after this long (ms; default 10 s async, 5 s blocking). */
  timeoutMs?: number;
  /** A lock older than this (ms) is considered abandoned (default 5 s). */
  staleMs?: number;
}

/** Runs `fn` while holding `lockPath`, waiting asynchronously. Throws if the lock cannot be taken within the timeout. */
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
    if (Date.now() > deadline) throw lockBusy(lockPath);
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    return await fn();
  } finally {
    releaseLock(lockPath);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `fn` while holding `lockPath`, blocking while another process holds it (short critical sections only). */
export function withFileLockSync<T>(lockPath: string, fn: () => T, options: FileLockOptions = {}): T {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  const staleMs = options.staleMs ?? 5_000;
  let delay = 1;
  while (!tryLock(lockPath, staleMs)) {
    if (Date.now() > deadline) throw lockBusy(lockPath);
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

function lockBusy(lockPath: string): Error {
  return new Error(`Could not lock ${lockPath}: another process holds it`);
}

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
