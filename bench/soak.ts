// `npm run soak -- --minutes N`: SPEC §9's "A day of real use", compressed. The fake ComfyUI and the proxy (as
// shipped: a bundle run by plain Node, fresh data dir, ten keys) each run in their own process; this process
// makes the load (soakLoad.ts) for N minutes and samples the proxy every 5 s over its IPC channel. Then the load
// stops, the proxy idles, the jobs settle, and the report (bench/soak-results.md) and its chart
// (bench/soak-results.svg) are written. Not part of `npm test`: it takes minutes and measures, it does not assert.
//   --minutes N   load time (default 10)      --slow N   slow-head clients (default 20)
//   --out PATH    report path without extension (default bench/soak-results)
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleBenchChild } from './bundleProxy';
import { BenchChild } from './childProcess';
import { renderChart, type Panel } from './soakChart';
import { LoadStats, startLoad, type SoakKey } from './soakLoad';
import { renderSoakReport, type LedgerJob, type Sample } from './soakReport';
import { request } from '../test/helpers/http';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const SAMPLE_MS = 5_000;
const COOL_DOWN_S = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, slow: { type: 'string', default: '20' }, out: { type: 'string' } } });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error(`--minutes takes a number above 0 (got "${values.minutes}")`);
  const out = values.out ?? fileURLToPath(new URL('./soak-results', import.meta.url));
  const log = (line: string) => console.error(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const children: BenchChild[] = [];
  try {
    const fake = await BenchChild.start<{ url: string }>('./soakFakeChild.ts', { jobMs: 400, steps: 4 });
    children.push(fake.child);
    const bundle = await bundleBenchChild('soakProxyChild', HERE);
    const adminKey = randomBytes(32).toString('base64url');
    const proxy = await BenchChild.start<{ url: string; pid: number; keys: SoakKey[] }>(bundle, { upstream: fake.ready.url, adminKey, keys: 10 });
    children.push(proxy.child);
    log(`proxy ${proxy.ready.url} (pid ${proxy.ready.pid}) -> fake ComfyUI ${fake.ready.url}; ${minutes} min of load`);

    const stats = new LoadStats();
    const samples: Sample[] = [];
    const startedAt = new Date();
    const t0 = performance.now();
    const now = () => (performance.now() - t0) / 1000;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const s = (await proxy.child.request('sample')) as Omit<Sample, 't' | 'requests'>;
        samples.push({ ...s, t: Math.round(now() * 10) / 10, requests: stats.requests });
        const last = samples.at(-1) as Sample;
        if (samples.length % 12 === 1) log(`t=${last.t.toFixed(0)} s rss ${(last.rss / 2 ** 20).toFixed(0)} MiB, fds ${last.fds}, loop p99 ${last.loop.p99.toFixed(1)} ms, ledger ${last.sizes['ledger.jobs']}, requests ${last.requests}`);
        await sleep(SAMPLE_MS);
      }
    })();

    const load = startLoad(proxy.ready.url, proxy.ready.keys, stats, Number(values.slow));
    const loadS = minutes * 60;
    const warmupEndT = Math.min(60, Math.round(loadS * 0.2));
    await sleep(loadS * 1000);
    const loadEndT = Math.round(now());
    await load.stop();
    log(`load stopped at ${loadEndT} s; settling jobs`);

    // Every key reads its queue and history, as its web UI or script would, until ComfyUI's queue is empty and
    // the ledger has seen every job end (a job nobody listened for is settled by these reads: jobSync.ts).
    const settleStart = now();
    for (let i = 0; i < 30; i++) {
      for (const k of proxy.ready.keys) {
        const auth = { authorization: `Bearer ${k.secret}` };
        await request(`${proxy.ready.url}/queue`, { headers: auth });
        await request(`${proxy.ready.url}/history?max_items=256`, { headers: auth });
      }
      const q = (await fake.child.request('queue')) as { remaining: number };
      const open = ((await proxy.child.request('jobs')) as LedgerJob[]).filter((j) => j.state === 'pending' || j.state === 'running');
      if (q.remaining === 0 && open.length === 0) break;
      await sleep(2_000);
    }
    const settleSeconds = now() - settleStart;
    const idleUntil = now() + COOL_DOWN_S;
    while (now() < idleUntil) await sleep(1_000);
    sampling = false;
    await sampler;

    const jobs = (await proxy.child.request('jobs')) as LedgerJob[];
    const proxyLog = (await proxy.child.request('log')) as string[];
    const chartFile = `${basename(out)}.svg`;
    const mib = (b: number) => b / 2 ** 20;
    const series = (label: string, color: string, f: (s: Sample) => number) => ({ label, color, points: samples.map((s) => [s.t, f(s)] as const) });
    const rate = samples.map((s, i) => {
      const prev = samples[i - 1];
      return [s.t, prev ? (s.requests - prev.requests) / Math.max(0.1, s.t - prev.t) : 0] as const;
    });
    const panels: Panel[] = [
      { title: 'Proxy memory', unit: 'MiB', series: [series('RSS', '#d62728', (s) => mib(s.rss)), series('V8 heap committed', '#ff7f0e', (s) => mib(s.heapTotal)), series('heap used', '#1f77b4', (s) => mib(s.heapUsed)), series('external', '#9467bd', (s) => mib(s.external))] },
      { title: 'Open file descriptors', unit: 'count', series: [series('fds', '#2ca02c', (s) => s.fds), series('open connections', '#ff7f0e', (s) => s.sizes['connections.open'] ?? 0)] },
      { title: 'Event-loop delay per 5 s', unit: 'ms', series: [series('p99', '#d62728', (s) => s.loop.p99), series('max', '#bbbbbb', (s) => s.loop.max)] },
      { title: 'Ledger and sessions', unit: 'entries', series: [series('jobs', '#1f77b4', (s) => s.sizes['ledger.jobs'] ?? 0), series('client ids', '#ff7f0e', (s) => s.sizes['ledger.clientIds'] ?? 0), series('sessions', '#2ca02c', (s) => s.sizes['sessions.live'] ?? 0), series('rate buckets', '#8c564b', (s) => s.sizes['rateLimit.buckets'] ?? 0)] },
      { title: 'Requests made by the load', unit: 'per s', series: [{ label: 'requests/s', color: '#17becf', points: rate }] },
    ];
    const endT = samples.at(-1)?.t ?? loadEndT;
    const svg = renderChart(`Soak, ${minutes} min: ten keys, ${values.slow} slow clients (${startedAt.toISOString().slice(0, 16)}Z)`, panels, [{ t: warmupEndT, label: 'warmed up' }, { t: loadEndT, label: 'load stops' }], endT);
    const report = renderSoakReport({ minutes, startedAt, warmupEndT, loadEndT, samples, stats, keys: proxy.ready.keys, jobs, proxyLog, settleSeconds, chartFile });
    await writeFile(`${out}.svg`, svg);
    await writeFile(`${out}.md`, report);
    process.stdout.write(report);
    log(`wrote ${out}.md and ${out}.svg`);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
