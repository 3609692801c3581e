// Scenario: how fast the headless proxy is ready — from spawning the process to its ready line on
// stdout — through the launcher (built bundle, in-process), through `npm run headless` (npm's own start
// on top), and the old way through tsx for comparison; plus a `keys list` round trip.
// Also runnable alone: `npx tsx bench/headlessStartScenario.ts` (starts its own fake ComfyUI).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, Scenario, ScenarioResult } from './scenario';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 5;
const CLK_TCK = 100; // Linux USER_HZ

interface Way {
  name: string;
  cmd: string;
  args: string[];
}

/** User+system CPU seconds of `pid` so far (Linux), or NaN. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** Spawns, waits for the ready line, samples CPU, sends SIGTERM, waits for the exit. Milliseconds to ready. */
function timeToReady(way: Way, env: NodeJS.ProcessEnv): Promise<{ ms: number; cpu: number }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(way.cmd, way.args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let result: { ms: number; cpu: number } | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!result && /listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        result = { ms: Number(process.hrtime.bigint() - started) / 1e6, cpu: cpuSeconds(child.pid!) };
        child.kill('SIGTERM');
      }
    });
    child.stderr.resume();
    child.on('close', (code) => (result ? resolve(result) : reject(new Error(`${way.name} exited ${code} before ready: ${out}`))));
  });
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} (best ${sorted[0]!.toFixed(0)})`;
}

export async function measureHeadlessStart(upstreamUrl: string): Promise<ScenarioResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cac-bench-start-'));
  try {
    const keyFile = join(dir, 'admin.key');
    writeFileSync(keyFile, `bench-admin-${'x'.repeat(32)}\n`);
    const node = join(ROOT, 'node_modules', '.bin', 'node');
    const common = ['--upstream', upstreamUrl, '--listen', '127.0.0.1:0', '--data-dir', dir, '--api-key-file', keyFile];
    // Build (if stale) and warm the compile cache once, outside the measurement.
    spawnSync(node, [join(ROOT, 'bin', 'comfy-auth-companion.mjs'), '--version'], { cwd: ROOT });
    const ways: Way[] = [
      { name: 'launcher (`node bin/comfy-auth-companion.mjs`)', cmd: node, args: [join(ROOT, 'bin', 'comfy-auth-companion.mjs'), ...common] },
      { name: '`npm run headless --`', cmd: 'npm', args: ['run', '--silent', 'headless', '--', ...common] },
      { name: 'before: tsx from sources (`node --import tsx main/cli/cli.ts`)', cmd: node, args: ['--import', 'tsx', join(ROOT, 'main', 'cli', 'cli.ts'), ...common] },
    ];
    const env = { ...process.env, COMFY_API_KEY: '' };
    const rows: string[][] = [];
    const samples = new Map<string, { ms: number[]; cpu: number[] }>(ways.map((w) => [w.name, { ms: [], cpu: [] }]));
    for (let i = 0; i < RUNS; i++) {
      for (const way of ways) {
        const r = await timeToReady(way, env);
        samples.get(way.name)!.ms.push(r.ms);
        samples.get(way.name)!.cpu.push(r.cpu * 1000);
      }
    }
    for (const way of ways) {
      const s = samples.get(way.name)!;
      rows.push([way.name, stats(s.ms), way.cmd === 'npm' ? 'n/a (npm is the parent)' : stats(s.cpu)]);
    }
    const keysMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      spawnSync(node, [join(ROOT, 'bin', 'comfy-auth-companion.mjs'), 'keys', 'list', '--data-dir', dir], { cwd: ROOT });
      keysMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    rows.push(['`keys list` through the launcher (to exit)', stats(keysMs), '']);
    return {
      title: `Headless start: spawn to ready line (ms, median of ${RUNS} interleaved runs)`,
      headers: ['how', 'wall ms to ready', 'CPU ms of that process until ready'],
      rows,
      notes: ['Wall time on a shared 2-core machine is noisy; the CPU column (from /proc/PID/stat, 10 ms ticks) is the steadier number. The launcher enables V8\'s on-disk compile cache.'],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const headlessStartScenario: Scenario = {
  title: 'Headless start',
  run: (ctx: BenchContext) => measureHeadlessStart(ctx.upstreamUrl),
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startFakeComfy } = await import('../test/fixtures/fakeComfy');
  const fake = await startFakeComfy();
  const { renderReport } = await import('./report');
  const result = await measureHeadlessStart(fake.url);
  process.stdout.write(renderReport([result], { startedAt: new Date(), seconds: 0, notes: [] }));
  await fake.close();
}
