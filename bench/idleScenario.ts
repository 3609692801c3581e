// Scenario: the headless proxy's ready time (spawn of `npm run headless` to its ready line) and the idle
// footprint — CPU time over 60 s with no traffic, main-thread wake-ups and RSS — of the headless proxy and
// of the desktop app's composition root (main/compose/companion.ts) in plain Node, with no window watching.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchChild } from './childProcess';
import { cpuMicros, rssBytes, workerOf } from './procStats';
import type { BenchContext, Scenario, ScenarioResult } from './scenario';

export const IDLE_S = 60;
const SETTLE_S = 5;
const READY_RUNS = 3;

interface Headless {
  pid: number;
  readyMs: number;
  stop(): Promise<void>;
}

/** Spawns `npm run headless` in `root` (its own process group, so stop() ends the whole chain) and waits for the ready line. */
function spawnHeadless(root: string, upstream: string, dir: string): Promise<Headless> {
  const keyFile = join(dir, 'bench-admin.key');
  writeFileSync(keyFile, `bench-admin-${'k'.repeat(32)}\n`, { mode: 0o600 });
  const args = ['run', '--silent', 'headless', '--', '--upstream', upstream, '--listen', '127.0.0.1:0', '--data-dir', dir, '--api-key-file', keyFile];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const proc: ChildProcess = spawn('npm', args, { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, COMFY_API_KEY: '' } });
    const closed = new Promise<void>((r) => proc.once('close', () => r()));
    let out = '';
    let err = '';
    let ready = false;
    const stop = async (): Promise<void> => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      try {
        process.kill(-(proc.pid ?? 0), 'SIGTERM');
      } catch {
        /* already gone */
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-(proc.pid ?? 0), 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
      await closed;
      clearTimeout(killer);
    };
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!ready && /listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        ready = true;
        resolve({ pid: proc.pid ?? -1, readyMs: Number(process.hrtime.bigint() - started) / 1e6, stop });
      }
    });
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    void closed.then(() => {
      if (!ready) reject(new Error(`npm run headless exited before its ready line: ${(out + err).slice(-400)}`));
    });
  });
}

/** Voluntary context switches of the process's main thread: how often its event loop went to sleep and woke. */
function wakeups(pid: number): number {
  try {
    const m = /voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

interface Idler {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

export const idleScenario: Scenario = {
  title: `Headless ready time and idle footprint (${IDLE_S} s with no traffic)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const roots = ctx.roots;
    const dirs: string[] = [];
    const tempDir = (): string => {
      const d = mkdtempSync(join(tmpdir(), 'cac-bench-idle-'));
      dirs.push(d);
      return d;
    };
    const idlers: Idler[] = [];
    const readyMs = new Map<string, number[]>();
    try {
      // Ready time: one unmeasured start per tree (builds, caches), then READY_RUNS interleaved.
      for (const r of roots) await (await spawnHeadless(r.root, ctx.upstreamUrl, tempDir())).stop();
      for (let i = 0; i < READY_RUNS; i++) {
        for (const r of roots) {
          const h = await spawnHeadless(r.root, ctx.upstreamUrl, tempDir());
          readyMs.set(r.label, [...(readyMs.get(r.label) ?? []), h.readyMs]);
          await h.stop();
        }
      }
      // Idle: every process up at once (they are idle, so they do not disturb each other), measured together.
      for (const r of roots) {
        const h = await spawnHeadless(r.root, ctx.upstreamUrl, tempDir());
        idlers.push({ name: `headless proxy${r.suffix}`, pid: workerOf(h.pid), stop: h.stop });
        const app = await BenchChild.start<{ pid: number }>('./companionChild.ts', { upstream: ctx.upstreamUrl, root: r.root });
        idlers.push({ name: `app composition root (main/compose/companion.ts)${r.suffix}`, pid: app.ready.pid, stop: () => app.child.stop() });
      }
      await sleep(SETTLE_S * 1000);
      const before = idlers.map((i) => ({ cpu: cpuMicros(i.pid), wake: wakeups(i.pid) }));
      await sleep(IDLE_S * 1000);
      const rows = idlers.map((i, n) => {
        const b = before[n] as { cpu: number; wake: number };
        const cpuMs = (cpuMicros(i.pid) - b.cpu) / 1000;
        return [i.name, cpuMs.toFixed(0), ((cpuMs / 1000 / IDLE_S) * 100).toFixed(3), String(wakeups(i.pid) - b.wake), (rssBytes(i.pid) / 1024 / 1024).toFixed(0), ''];
      });
      for (const r of roots) {
        const ms = readyMs.get(r.label) ?? [];
        rows.push([`\`npm run headless\`${r.suffix}: spawn → ready line`, '', '', '', '', `${median(ms).toFixed(0)} (runs: ${ms.map((m) => m.toFixed(0)).join(', ')})`]);
      }
      return {
        title: this.title,
        headers: ['process', `CPU ms in ${IDLE_S} s`, 'CPU %', 'main-thread wake-ups', 'RSS MiB', 'ready ms (median)'],
        rows,
        notes: [
          `Idle: each process is started, left ${SETTLE_S} s to settle, then read from /proc over ${IDLE_S} s: utime+stime, voluntary context switches of the main thread (each one is the event loop going to sleep and waking again), and VmRSS at the end. The headless row is the node process that serves (npm and its shell are left out); the app row is main/compose/companion.ts in plain Node with settings, secrets (file fallback), key store, sessions, monitor and proxy, and no window watching the monitor.`,
          'Ready time: wall clock from spawning `npm run headless -- --listen 127.0.0.1:0 …` to its "listening on" line, median of the runs after one unmeasured start; it includes npm\'s own start.',
        ],
      };
    } finally {
      await Promise.all(idlers.map((i) => i.stop()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  },
};
