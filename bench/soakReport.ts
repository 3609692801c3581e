// The soak's report (bench/soak-results.md): the verdict on SPEC §9's "A day of real use" (no 5xx of the
// proxy's own, memory and open files back to their warmed-up level, every job in the ledger with its owner
// and GPU seconds), read latency, traffic, the maps that grow with input against their bounds
// (docs/limits.md), and every job.
import { cpus, loadavg } from 'node:os';
import type { LoadStats, SoakKey } from './soakLoad';

export interface Sample {
  /** Seconds since the load started. */
  t: number;
  rss: number;
  /** RSS of anonymous memory and of file pages (the node binary's code), from /proc/self/status. */
  rssAnon: number;
  rssFile: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** V8 heap spaces, bytes committed. */
  spaces: Record<string, number>;
  fds: number;
  loop: { p50: number; p99: number; max: number };
  sizes: Record<string, number>;
  slowClientsClosed: number;
  inFlight: { active: number; waiting: number; lanes: number };
  /** Requests the load had made by then (all kinds). */
  requests: number;
}

export interface LedgerJob {
  id: string;
  owner: string;
  ownerName: string | null;
  clientId: string | null;
  state: string;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Each gauge's bound (docs/limits.md): what the soak compares the sampled sizes with. */
export const BOUNDS: Record<string, string> = {
  'ledger.jobs': '10 000 jobs',
  'ledger.executed': 'the ledger’s jobs',
  'ledger.progress': 'the ledger’s jobs',
  'ledger.outputFiles': 'the outputs of the ledger’s jobs',
  'ledger.clientIds': '20 000 (1 000 per key)',
  'sessions.live': '10 000',
  'sessions.tombstones': '1 000',
  'login.throttle': '10 000 addresses',
  'rateLimit.buckets': '2 per key (expired ones pruned each second)',
  'usage.keys': 'one per key',
  'usage.seenJobs': '10 000',
  'connections.open': 'open sockets (OS file limit)',
  'inFlight.lanes': 'principals with requests in flight (256 + 1 024 waiting)',
  'sharedReads.cache': '64',
  'uploads.registry': '10 000',
  pathMemo: '2 048 per memo (6 memos: 12 288)',
  'monitor.keys': '200',
  'monitor.prompts': '200',
};

export interface SoakResult {
  minutes: number;
  startedAt: Date;
  warmupEndT: number;
  loadEndT: number;
  samples: Sample[];
  stats: LoadStats;
  keys: readonly SoakKey[];
  jobs: LedgerJob[];
  proxyLog: string[];
  settleSeconds: number;
  chartFile: string;
}

const MiB = 1024 * 1024;
const mib = (b: number) => (b / MiB).toFixed(1);

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const table = (headers: string[], rows: string[][]) =>
  [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const gpuSeconds = (j: LedgerJob) => (j.startedAt !== null && j.finishedAt !== null && j.state !== 'cached' ? (j.finishedAt - j.startedAt) / 1000 : null);

/** The warmed-up level: the samples of the last 15 s of the warm-up. */
export function levels(r: SoakResult): { warm: Sample[]; after: Sample[] } {
  const warm = r.samples.filter((s) => s.t <= r.warmupEndT && s.t > r.warmupEndT - 15.5);
  const after = r.samples.filter((s) => s.t > r.loadEndT).slice(-3);
  return { warm, after };
}

/** Why jobs lack GPU seconds: the client ids they ran under (a start the proxy never saw). */
function unseenNote(jobs: readonly LedgerJob[]): string {
  const unseen = jobs.filter((j) => j.state !== 'cached' && gpuSeconds(j) === null);
  if (unseen.length === 0) return 'Every job has its GPU seconds.';
  const kinds = new Map<string, number>();
  for (const j of unseen) {
    const kind = j.clientId?.startsWith('tab-') ? 'a reopened socket of its key (closed before the job ran)' : j.clientId?.startsWith('ui-') ? 'the web UI’s long-lived socket' : 'no socket (the key’s own id)';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return (
    `${unseen.length} jobs have no GPU seconds: the proxy never saw them start, because no socket listened on their client id when they ran — ` +
    `${[...kinds].map(([k, n]) => `${n} under ${k}`).join(', ')}. They were settled from /history after the fact, which carries ComfyUI's own ` +
    'execution timestamps; the ledger does not read those yet.'
  );
}

/** RSS split into V8's committed heap (by space), memory outside it that V8 knows of, and the rest (native). */
function memoryTable(r: SoakResult, warm: Sample[], after: Sample[]): string {
  const endOfLoad = r.samples.filter((x) => x.t <= r.loadEndT).slice(-3);
  const at = (group: Sample[], f: (x: Sample) => number) => mib(mean(group.map(f)));
  const space = (name: string) => (x: Sample) => x.spaces[name] ?? 0;
  const rows: [string, (x: Sample) => number][] = [
    ['RSS', (x) => x.rss],
    ['… file pages (the node binary as it runs)', (x) => x.rssFile],
    ['… anonymous', (x) => x.rssAnon],
    ['V8 heap committed', (x) => x.heapTotal],
    ['… old space', space('old_space')],
    ['… new space', space('new_space')],
    ['… code space', space('code_space')],
    ['… large objects', space('large_object_space')],
    ['V8 heap used', (x) => x.heapUsed],
    ['external (buffers V8 knows of)', (x) => x.external],
    ['rest of the anonymous RSS (native: malloc, stacks)', (x) => x.rssAnon - x.heapTotal - x.external],
  ];
  return table(
    ['MiB', 'before any load', 'warmed-up', 'end of load', 'after the load'],
    rows.map(([label, f]) => [label, at(r.samples.slice(0, 1), f), at(warm, f), at(endOfLoad, f), at(after, f)]),
  );
}

export function renderSoakReport(r: SoakResult): string {
  const { warm, after } = levels(r);
  const rssWarm = mean(warm.map((s) => s.rss));
  const rssAfter = mean(after.map((s) => s.rss));
  const fdsWarm = Math.round(mean(warm.map((s) => s.fds)));
  const fdsAfter = Math.max(...after.map((s) => s.fds));
  const rssGrowth = ((rssAfter - rssWarm) / rssWarm) * 100;
  // The level RSS settles at under the load (V8 and malloc keep what they grew to; see "Where the memory is").
  const secondHalf = r.samples.filter((x) => x.t > (r.warmupEndT + r.loadEndT) / 2 && x.t <= r.loadEndT);
  const rssSteady = mean(secondHalf.map((x) => x.rss));
  const reads = r.stats.latencies.read;
  const finished = r.jobs.filter((j) => !['pending', 'running'].includes(j.state));
  const withGpu = r.jobs.filter((j) => gpuSeconds(j) !== null || j.state === 'cached');
  const keyNames = new Map(r.keys.map((k) => [k.id, k.name]));
  const ownersKnown = r.jobs.filter((j) => keyNames.has(j.owner)).length;
  const loadSamples = r.samples.filter((s) => s.t > r.warmupEndT && s.t <= r.loadEndT);
  const slope = loadSamples.length > 1 ? ((loadSamples.at(-1)?.rss ?? 0) - (loadSamples[0]?.rss ?? 0)) / MiB / (((loadSamples.at(-1)?.t ?? 0) - (loadSamples[0]?.t ?? 0)) / 60) : 0;
  const ok = (b: boolean) => (b ? 'yes' : '**no**');
  const s = r.stats;
  const cpu = cpus();

  const parts = [
    `# Soak: ${r.minutes} minute${r.minutes === 1 ? '' : 's'} of ten keys sharing one ComfyUI`,
    '',
    `- Date: ${r.startedAt.toISOString()} · Node ${process.version} · ${cpu[0]?.model ?? 'CPU'} × ${cpu.length} · 1-minute load average at the end ${loadavg()[0]?.toFixed(2)} (2 cores shared with other work)`,
    `- Command: \`npm run soak -- --minutes ${r.minutes}\`. The proxy is the product's proxy stack as shipped (an esbuild bundle run by plain Node, its own process, a fresh data dir); the upstream is the fake ComfyUI (one job at a time, 4 steps, a preview frame per step) in its own process; the load runs in the bench process.`,
    `- Load, per key: web-UI reads over keep-alive connections (object_info, queue, history, system_stats, jobs, static files, its outputs) every 0.15–0.9 s; one long-lived WebSocket plus one reopened every 2–6 s; a job every 6–14 s (half on the socket's client_id, the rest from a "script" without one, most read back from /history, some never); an image upload every 15–30 s; a browser login (remember me or not), the page, a logout every 10–20 s. Besides: ${r.stats.slowHeads.closed > 0 ? '20' : '0'} slow clients trickling a request head one byte a second, reconnecting when closed.`,
    `- Event-loop delay is sampled with a 10 ms timer resolution on a shared 2-core machine: its floor is the machine's scheduling, not the proxy.`,
    `- Warm-up: the first ${r.warmupEndT} s; load until ${r.loadEndT} s; then the load stops and the proxy idles ${Math.round((r.samples.at(-1)?.t ?? r.loadEndT) - r.loadEndT)} s (jobs settled in ${r.settleSeconds.toFixed(0)} s). Samples every 5 s through the proxy process's IPC channel (bench/soakProxyChild.ts).`,
    '',
    '## Verdict',
    '',
    table(
      ['check', 'target', 'measured', 'met'],
      [
        ['5xx answered by the proxy itself', '0', `${s.fiveXX.own} (5xx of any origin: ${s.fiveXX.total})`, ok(s.fiveXX.own === 0)],
        ['RSS after the load vs warmed-up', '≤ +30 %', `${mib(rssWarm)} → ${mib(rssAfter)} MiB (${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(1)} %; before any load ${mib(r.samples[0]?.rss ?? 0)})`, ok(rssGrowth <= 30)],
        ['RSS after the load vs the load’s second half', '—', `${mib(rssSteady)} → ${mib(rssAfter)} MiB (${((rssAfter / rssSteady - 1) * 100).toFixed(1)} %)`, ''],
        ['open fds after the load vs warmed-up', '≤ +10', `${fdsWarm} → ${fdsAfter} (before any load ${r.samples[0]?.fds ?? '?'})`, ok(fdsAfter <= fdsWarm + 10)],
        ['every job in the ledger with its owner', 'all', `${ownersKnown} of ${r.jobs.length} owned by their key; ${finished.length} finished`, ok(ownersKnown === r.jobs.length && finished.length === r.jobs.length)],
        ['… and its GPU seconds', 'all', `${withGpu.length} of ${r.jobs.length}`, ok(withGpu.length === r.jobs.length)],
        ['p99 latency of reads', '—', `${percentile(reads, 99).toFixed(1)} ms (p50 ${percentile(reads, 50).toFixed(1)}, max ${Math.max(...reads).toFixed(0)}; ${reads.length} reads)`, ''],
        ['RSS trend under steady load', '—', `${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MiB/min`, ''],
        ['network errors while the proxy ran', '0', String(s.errors.length), ok(s.errors.length === 0)],
      ],
    ),
    '',
    `![samples](${r.chartFile})`,
    '',
    '## Where the memory is',
    '',
    memoryTable(r, warm, after),
    '',
    '## Traffic',
    '',
    table(
      ['kind', 'answers', 'p50 ms', 'p99 ms', 'max ms'],
      (Object.keys(s.latencies) as (keyof LoadStats['latencies'])[]).map((k) => {
        const l = s.latencies[k];
        const statuses = [...s.statuses].filter(([key]) => key.startsWith(`${k} `)).map(([key, n]) => `${key.split(' ')[1]}: ${n}`).join(', ');
        return [k, statuses || '—', percentile(l, 50).toFixed(1), percentile(l, 99).toFixed(1), l.length ? Math.max(...l).toFixed(0) : '—'];
      }),
    ),
    '',
    `- Requests: ${s.requests}; jobs: ${s.jobs.socket} from the web UI (its socket's client_id), ${s.jobs.scriptReadBack} from scripts that read them back (${s.jobs.readBack} found in /history, ${s.jobs.outputsViewed} outputs viewed), ${s.jobs.scriptForgotten} never read back; uploads: ${s.counts.uploads}; logins / logouts: ${s.counts.logins} / ${s.counts.logouts}.`,
    `- WebSockets: ${s.ws.longOpened} long-lived opened (${s.ws.longDropped} dropped by the proxy), ${s.ws.churnOpened} reopened ones (${s.ws.churnFailed} refused), ${s.ws.messages} messages of which ${s.ws.previews} preview frames.`,
    `- Slow clients: ${s.slowHeads.closed} connections closed by the proxy (${s.slowHeads.answered408} with a 408); the proxy counted ${r.samples.at(-1)?.slowClientsClosed ?? 0}.`,
    ...(s.fiveXX.examples.length ? [`- 5xx examples: ${s.fiveXX.examples.map((e) => `\`${e}\``).join('; ')}`] : []),
    ...(s.errors.length ? [`- Network errors: ${s.errors.slice(0, 5).map((e) => `\`${e}\``).join('; ')}`] : []),
    `- The proxy's log: ${r.proxyLog.length ? r.proxyLog.map((l) => `\`${l}\``).join('; ') : 'nothing'}.`,
    '',
    '## Maps that grow with input (sizes sampled; bounds in docs/limits.md)',
    '',
    table(
      ['map', 'warmed-up', 'largest', 'after the load', 'bound'],
      Object.keys(r.samples.at(-1)?.sizes ?? {}).map((name) => {
        const values = r.samples.map((x) => x.sizes[name] ?? 0);
        return [`\`${name}\``, String(warm.at(-1)?.sizes[name] ?? 0), String(Math.max(...values)), String(after.at(-1)?.sizes[name] ?? 0), BOUNDS[name] ?? '?'];
      }),
    ),
    '',
    '## Jobs per key (from the ledger after the load)',
    '',
    table(
      ['key', 'jobs', 'success', 'other end', 'GPU s', 'without GPU seconds'],
      r.keys.map((k) => {
        const own = r.jobs.filter((j) => j.owner === k.id);
        const gpu = own.map(gpuSeconds);
        return [k.name, String(own.length), String(own.filter((j) => j.state === 'success').length), String(own.filter((j) => j.state !== 'success').length), gpu.reduce<number>((a, b) => a + (b ?? 0), 0).toFixed(1), String(gpu.filter((g) => g === null).length)];
      }),
    ),
    '',
    unseenNote(r.jobs),
    '',
    '<details><summary>Every job in the ledger: owner, state, GPU seconds</summary>',
    '',
    table(['prompt id', 'owner', 'state', 'GPU s'], r.jobs.map((j) => [j.id, j.ownerName ?? keyNames.get(j.owner) ?? j.owner, j.state, gpuSeconds(j)?.toFixed(2) ?? '—'])),
    '',
    '</details>',
  ];
  return parts.join('\n') + '\n';
}
