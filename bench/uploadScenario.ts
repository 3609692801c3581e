// Scenarios: big files. A 100 MiB multipart upload (POST /upload/image, the fake ComfyUI writes the file to
// disk) and a 100 MiB download (GET /__fake/big) per target: throughput, and the CPU the process in the middle
// spends per GiB (schedstat, procStats.ts cpuNanos), beside direct, nginx and the do-nothing undici proxy.
// Uploads also go through a proxy in front of two upstreams (the file is streamed to both at once) and the
// proxies' peak RSS growth is shown: a buffered upload would show as ~100 MiB.
import { BenchChild } from './childProcess';
import { startNginx } from './nginx';
import { cpuNanos } from './procStats';
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';
import { downloadOnce, TRANSFER_MIB, uploadOnce } from './transferLoad';

const ROUNDS = 3;
const GIB = 1024 * 1024 * 1024;

interface Transfer {
  mibPerS: number;
  /** Full (mark-compact) collections in the process during this transfer; NaN when it cannot tell (nginx, direct). */
  majorGcs: number;
  /** CPU seconds per GiB of the target's own process (for direct: the fake ComfyUI), and of the upstream(s). */
  cpuSPerGiB: number;
  upstreamCpuSPerGiB: number;
}

type Once = (t: BenchTarget) => Promise<{ seconds: number; bytes: number }>;

/** The bench children that can report their own GCs (the proxies and the minimal undici proxy). */
const gcChild = (t: BenchTarget): BenchChild | undefined => (t.role === 'proxy' || t.role === 'minimal' ? t.child : undefined);

async function measure(target: BenchTarget, once: Once, upstreamPids: readonly number[]): Promise<Transfer> {
  const sum = (pids: readonly number[]) => pids.reduce((a, p) => a + cpuNanos(p), 0);
  const gc = gcChild(target);
  await gc?.request('gcStart');
  const own0 = target.pid ? cpuNanos(target.pid) : Number.NaN;
  const up0 = sum(upstreamPids);
  const { seconds, bytes } = await once(target);
  const own = target.pid ? cpuNanos(target.pid) - own0 : Number.NaN;
  const up = sum(upstreamPids) - up0;
  const majorGcs = gc ? ((await gc.request('gcStop')) as { major: number }).major : Number.NaN;
  const gib = bytes / GIB;
  return { mibPerS: bytes / 1024 / 1024 / seconds, majorGcs, cpuSPerGiB: own / 1e9 / gib, upstreamCpuSPerGiB: up / 1e9 / gib };
}

const HEADERS = ['target', 'MiB/s', 'vs direct', 'CPU s/GiB', 'vs nginx', 'vs minimal undici proxy', 'upstream CPU s/GiB', 'full GCs per run', 'proxy peak RSS growth MiB'];

/**
 * Runs `once` ROUNDS times per target, interleaved; keeps the best MiB/s and the lowest CPU of each. "vs nginx"
 * compares with `nginxOf(t)`: nginx doing the same work (one upstream, or mirroring to two).
 */
async function transferTable(
  targets: readonly BenchTarget[],
  once: Once,
  upstreamsOf: (t: BenchTarget) => number[],
  nginxOf: (t: BenchTarget) => BenchTarget | undefined = () => targets.find((n) => n.role === 'nginx'),
): Promise<string[][]> {
  for (const t of targets) if (t.url) await once(t); // warm-up: JIT, pools, the upstream's files
  const rss = new Map<BenchChild, number>();
  for (const t of targets) if (t.role === 'proxy' && t.child && !rss.has(t.child)) rss.set(t.child, (await t.child.request('rssReset')) as number);
  const all = new Map<string, Transfer[]>();
  await bestOfInterleaved(
    targets,
    ROUNDS,
    async (t) => {
      const m = await measure(t, once, t.role === 'direct' ? [] : upstreamsOf(t));
      all.set(t.name, [...(all.get(t.name) ?? []), m]);
      return m;
    },
    () => false,
  );
  const growth = new Map<BenchChild, number>();
  for (const [child, base] of rss) growth.set(child, ((await child.request('rssPeak')) as number) - base);
  const best = (name: string, pick: (m: Transfer) => number, lowest: boolean): number => {
    const v = (all.get(name) ?? []).map(pick).filter((x) => !Number.isNaN(x));
    return v.length ? (lowest ? Math.min(...v) : Math.max(...v)) : Number.NaN;
  };
  const cpu = (t: BenchTarget | undefined) => (t ? best(t.name, (m) => m.cpuSPerGiB, true) : Number.NaN);
  const direct = targets.find((t) => t.role === 'direct');
  const minimal = targets.find((t) => t.role === 'minimal');
  const f = (v: number, digits: number) => (Number.isNaN(v) ? '' : v.toFixed(digits));
  return targets.map((t) => {
    if (!all.has(t.name)) return [t.name, t.note ?? 'not available', ...HEADERS.slice(2).map(() => '')];
    const mibs = best(t.name, (m) => m.mibPerS, false);
    const middle = t.role !== 'direct';
    const g = t.child ? growth.get(t.child) : undefined;
    const gcs = (all.get(t.name) ?? []).map((m) => m.majorGcs);
    const nginx = nginxOf(t);
    return [
      t.name,
      f(mibs, 0),
      direct ? ratio(mibs, best(direct.name, (m) => m.mibPerS, false)) : '',
      f(cpu(t), 2),
      middle && nginx && t.role !== 'nginx' && all.has(nginx.name) ? ratio(cpu(t), cpu(nginx)) : '',
      middle && minimal && t !== minimal ? ratio(cpu(t), cpu(minimal)) : '',
      f(middle ? best(t.name, (m) => m.upstreamCpuSPerGiB, true) : cpu(t), 2),
      gcs.some((n) => !Number.isNaN(n)) ? gcs.join(' / ') : '',
      g === undefined ? '' : (g / 1024 / 1024).toFixed(1),
    ];
  });
}

const NOTES = [
  'CPU s/GiB: on-CPU time of every thread of the process in the middle (the proxy, nginx\'s single worker, the minimal undici proxy) from /proc/PID/task/*/schedstat over one transfer, divided by the body size; lowest of the rounds. For direct it is the fake ComfyUI\'s own, shown as the upstream\'s. MiB/s: best round (wall clock, moves with the machine\'s load).',
  'Upstream CPU: the fake ComfyUI (both of them for two upstreams), which parses the form, hashes it twice and writes the file; the same work behind every target.',
  'RSS growth: each proxy process samples its own RSS every 50 ms during the measured rounds; peak minus the RSS before them (admin and access-key rows share a process).',
  'Full GCs per run: mark-compact collections in that process during each measured transfer (PerformanceObserver). A Node process that sat idle before a big upload can fall into back-to-back mark-compacts under the stream of 64 KiB body buffers (node:http copies each body chunk into a new Buffer) and spend about twice the CPU per GiB; the proxy ships with --initial-old-space-size=64, which keeps it out of that (docs/performance.md). The minimal undici proxy runs without flags.',
];

/**
 * The targets both scenarios measure: every small-GET target except the bare Node server, plus this checkout's
 * proxy started without the Node flags it ships with, to show what they buy.
 */
async function middleTargets(ctx: BenchContext): Promise<BenchTarget[]> {
  const targets = ctx.getTargets.filter((t) => t.role !== 'bare');
  const plain = await ctx.startProxy({ name: 'proxy without its Node flags, admin key', nodeFlags: [] });
  targets.push(plain.target);
  return targets;
}

export const uploadScenario: Scenario = {
  title: `${TRANSFER_MIB} MiB multipart upload (POST /upload/image; one upstream, and two, where the proxy streams the file to both; best of ${ROUNDS} interleaved runs)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const second = await BenchChild.start<{ url: string; port: number }>('./fakeChild.ts', {});
    const stops: (() => Promise<void>)[] = [];
    try {
      const targets = await middleTargets(ctx);
      const several = new Set<string>();
      const mirroring = await startNginx(Number(new URL(ctx.upstreamUrl).port), second.ready.port);
      if (mirroring) {
        targets.push({ name: 'nginx, mirroring to 2 upstreams', url: mirroring.url, key: ctx.adminKey, pid: mirroring.pid, role: 'nginx', behindFake: true });
        several.add('nginx, mirroring to 2 upstreams');
        stops.push(() => mirroring.stop());
      }
      for (const root of ctx.roots) {
        const p = await ctx.startProxy({ name: `proxy${root.suffix}, 2 upstreams, admin key`, upstreams: [ctx.upstreamUrl, second.ready.url], root });
        targets.push(p.target);
        several.add(p.target.name);
        if (p.accessKey) {
          targets.push({ ...p.target, name: `proxy${root.suffix}, 2 upstreams, access key`, key: p.accessKey });
          several.add(`proxy${root.suffix}, 2 upstreams, access key`);
        }
      }
      const plainNginx = targets.find((t) => t.role === 'nginx');
      const rows = await transferTable(
        targets,
        uploadOnce,
        (t) => (several.has(t.name) ? [ctx.fake.pid, second.child.pid] : [ctx.fake.pid]),
        (t) => (several.has(t.name) ? targets.find((n) => n.name === 'nginx, mirroring to 2 upstreams') : plainNginx),
      );
      return { title: this.title, headers: HEADERS, rows, notes: NOTES };
    } finally {
      for (const stop of stops) await stop();
      await second.child.stop();
    }
  },
};

export const downloadScenario: Scenario = {
  title: `${TRANSFER_MIB} MiB download (GET /__fake/big, best of ${ROUNDS} interleaved runs)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const rows = await transferTable(await middleTargets(ctx), downloadOnce, () => [ctx.fake.pid]);
    return { title: this.title, headers: HEADERS, rows, notes: NOTES.slice(0, 1) };
  },
};
