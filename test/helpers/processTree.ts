// Process-tree and port checks for tests that start real processes: every descendant of a pid (from
// /proc), whether a pid is alive, whether a loopback port is free, and a ready-line waiter.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import type { ChildProcess } from 'node:child_process';

/** Pids of every live descendant of `pid` (Linux /proc). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [child, parent] of parentOf) if (parent === p) (found.push(child), queue.push(child));
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return state.slice(state.lastIndexOf(')') + 2, state.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Resolves with the first match of `pattern` on the child's stdout; rejects if it exits first. */
export function waitForStdout(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  let buf = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = pattern.exec(buf);
      if (m) resolve(m);
    });
    child.on('close', (code, signal) => reject(new Error(`exited (${code ?? signal}) before ${pattern}; stdout: ${buf}`)));
  });
}
