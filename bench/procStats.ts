// Reads a process's CPU time and memory from Linux /proc: utime+stime of /proc/<pid>/stat (all threads of
// the process, in clock ticks) and VmRSS of /proc/<pid>/status. CPU time per request is the bench's steady
// figure: on a shared machine other processes slow the wall clock, not the CPU a request costs.
import { readdirSync, readFileSync } from 'node:fs';

/** Linux USER_HZ: /proc reports CPU time in these ticks (100 on every mainstream kernel). */
export const CLOCK_TICKS_PER_S = 100;

function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** utime + stime of the process so far, in microseconds (10 ms resolution); NaN when it is gone. */
export function cpuMicros(pid: number): number {
  const f = statFields(pid);
  if (!f) return Number.NaN;
  // After the name: state(0) ppid(1) … utime(11) stime(12).
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS_PER_S;
}

/**
 * On-CPU time of every thread of the process so far, in nanoseconds, from /proc/<pid>/task/<tid>/schedstat
 * (the scheduler's own accounting, not 10 ms ticks): precise enough for one upload of a few hundred ms.
 * Falls back to utime+stime when schedstat is not there; NaN when the process is gone.
 */
export function cpuNanos(pid: number): number {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    if (Number.isFinite(total) && total > 0) return total;
  } catch {
    /* no schedstat, or the process is gone */
  }
  return cpuMicros(pid) * 1000;
}

/** Sum of cpuMicros over several processes. */
export function cpuMicrosOf(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

/** Resident set size in bytes, or NaN. */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function parentOf(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}

/** Every live descendant of `root` (children, grandchildren …), parents before children. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

/**
 * The process that does the work under a launcher chain (npm → sh → node, plus helpers such as esbuild's
 * service): the one of `root` and its descendants with the largest RSS.
 */
export function workerOf(root: number): number {
  let best = root;
  let bestRss = rssBytes(root);
  for (const pid of descendants(root)) {
    const rss = rssBytes(pid);
    if (rss > bestRss || Number.isNaN(bestRss)) [best, bestRss] = [pid, rss];
  }
  return best;
}

/** CPU µs spent by `pids` while `work` ran, with the work's result. */
export async function cpuDuring<T>(pids: readonly number[], work: () => Promise<T>): Promise<{ result: T; cpuUs: number }> {
  const before = cpuMicrosOf(pids);
  const result = await work();
  return { result, cpuUs: cpuMicrosOf(pids) - before };
}
