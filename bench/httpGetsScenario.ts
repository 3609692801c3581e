// Scenario (a): small authenticated GETs (/system_stats) per target, measured with autocannon: CPU time per
// request of the process under test (utime+stime from /proc over the same load, divided by responses),
// next to req/s and latency. Targets: a bare Node server answering itself, the fake ComfyUI direct, nginx,
// and the proxy with the admin key and with an access key (quotas, ledger and usage on).
import autocannon from 'autocannon';
import { cpuMicros } from './procStats';
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';

export interface GetMeasurement {
  requestsPerSec: number;
  /** Mean latency by Little's law (connections / throughput): exact for a closed-loop load, unlike autocannon's whole-ms histogram. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Responses received. */
  served: number;
  /** CPU µs per response of the target's own process, and of the upstream (fake ComfyUI) process; NaN when unknown. */
  cpuUsPerReq: number;
  upstreamCpuUsPerReq: number;
}

export const GET_CONNECTIONS = 32;
export const GET_DURATION_S = 4;
export const GET_ROUNDS = 3;
const WARMUP_S = 1;

/** What a measured load asks for (default: /system_stats over GET_CONNECTIONS connections). */
export interface LoadShape {
  path?: string;
  connections?: number;
}

function load(url: string, key: string, duration: number, shape: LoadShape = {}): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}${shape.path ?? '/system_stats'}`,
    connections: shape.connections ?? GET_CONNECTIONS,
    duration,
    headers: { authorization: `Bearer ${key}` },
  });
}

/** Warms a target up (JIT, connection pools) without measuring. */
export async function warmUp(target: BenchTarget, shape: LoadShape = {}): Promise<void> {
  if (target.url) await load(target.url, target.key, WARMUP_S, shape);
}

/** One measured autocannon run, with the CPU the target's process (and the upstream's) spent on it. */
export async function measureGets(target: BenchTarget, durationS = GET_DURATION_S, upstreamPid?: number, shape: LoadShape = {}): Promise<GetMeasurement> {
  if (!target.url) throw new Error(`${target.name} is not available`);
  const pid = target.pid;
  const cpu0 = pid ? cpuMicros(pid) : Number.NaN;
  const up0 = upstreamPid ? cpuMicros(upstreamPid) : Number.NaN;
  const r = await load(target.url, target.key, durationS, shape);
  const cpu = pid ? cpuMicros(pid) - cpu0 : Number.NaN;
  const up = upstreamPid ? cpuMicros(upstreamPid) - up0 : Number.NaN;
  const served = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    requestsPerSec: r.requests.average,
    meanMs: ((shape.connections ?? GET_CONNECTIONS) * 1000) / r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    served,
    cpuUsPerReq: served > 0 ? cpu / served : Number.NaN,
    upstreamCpuUsPerReq: served > 0 ? up / served : Number.NaN,
  };
}

const us = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(0));

export const GET_HEADERS = [
  'target',
  'CPU µs/req',
  'vs bare Node',
  'vs nginx',
  'upstream CPU µs/req',
  'req/s',
  'mean ms',
  'p99 ms',
  'req/s vs direct',
  'non-2xx + errors',
  'upstream TCP connections opened',
];

export const httpGetsScenario: Scenario = {
  title: `Small authenticated GETs (GET /system_stats, ${GET_CONNECTIONS} connections, best of ${GET_ROUNDS} interleaved ${GET_DURATION_S} s runs after a ${WARMUP_S} s warm-up)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const opened = new Map<string, number>();
    const connections = async (): Promise<number> => (await ctx.fake.request('connections')) as number;
    const upstreamPid = ctx.fake.pid;
    for (const target of ctx.getTargets) {
      const before = await connections();
      await warmUp(target);
      opened.set(target.name, (await connections()) - before);
    }
    const rounds = new Map<string, GetMeasurement[]>();
    await bestOfInterleaved(
      ctx.getTargets,
      GET_ROUNDS,
      async (target) => {
        const before = await connections();
        // The upstream's CPU is only meaningful when the fake ComfyUI is behind the target.
        const m = await measureGets(target, GET_DURATION_S, target.behindFake ? upstreamPid : undefined);
        opened.set(target.name, (opened.get(target.name) ?? 0) + (await connections()) - before);
        rounds.set(target.name, [...(rounds.get(target.name) ?? []), m]);
        return m;
      },
      (a, b) => a.requestsPerSec > b.requestsPerSec,
    );
    // Throughput: each target's best round. CPU per request: each target's lowest round (the least disturbed).
    const best = (name: string): GetMeasurement | undefined => rounds.get(name)?.reduce((a, b) => (b.requestsPerSec > a.requestsPerSec ? b : a));
    const lowestCpu = (name: string, pick: (m: GetMeasurement) => number): number =>
      Math.min(...(rounds.get(name) ?? []).map(pick).filter((v) => !Number.isNaN(v)));
    const cpuOf = (name: string): number => lowestCpu(name, (m) => m.cpuUsPerReq);
    const bare = ctx.getTargets.find((t) => t.role === 'bare');
    const nginx = ctx.getTargets.find((t) => t.role === 'nginx');
    const direct = best('direct');
    const rows = ctx.getTargets.map((target) => {
      const m = best(target.name);
      if (!m) return [target.name, target.note ?? 'not available', ...GET_HEADERS.slice(2).map(() => '')];
      const cpu = cpuOf(target.name);
      return [
        target.name,
        us(cpu),
        bare && target !== bare ? ratio(cpu, cpuOf(bare.name)) : '',
        nginx && target !== nginx && rounds.has(nginx.name) ? ratio(cpu, cpuOf(nginx.name)) : '',
        target.behindFake ? us(lowestCpu(target.name, (x) => x.upstreamCpuUsPerReq)) : '',
        m.requestsPerSec.toFixed(0),
        m.meanMs.toFixed(2),
        m.p99Ms.toFixed(0),
        direct ? ratio(m.requestsPerSec, direct.requestsPerSec) : 'n/a',
        String(m.non2xx + m.errors),
        target.behindFake && target.name !== 'direct' ? String(opened.get(target.name) ?? 0) : '',
      ];
    });
    return {
      title: this.title,
      headers: GET_HEADERS,
      rows,
      notes: [
        'CPU µs/req is the steady figure on this shared machine: utime+stime of the process under test (/proc/PID/stat; for nginx its single worker, master_process off) over the measured run, divided by the responses autocannon received; lowest of the rounds. req/s and latency move with whatever else the machine runs.',
        '"bare Node" answers /system_stats itself with the same bytes (node:http, no proxying, no checks): the floor for any Node server. "direct" is the fake ComfyUI answered straight.',
        '"minimal Node proxy" (bench/minimalProxyChild.ts) is the simplest keep-alive Node proxy: a constant-time bearer check, undici Pool + stream(), hop-by-hop headers dropped, nothing else — the reference the hot-path issue set. The proxy rows run the product as shipped: an esbuild bundle run by plain Node (bench/bundleProxy.ts).',
        'The proxy checks request frame, Host, Origin and the key (SHA-256 + timingSafeEqual) on every request; with an access key also the requests-per-minute quota (GCRA), the sharing rules and per-key usage; nginx forwards without any check.',
        'autocannon records latency in whole milliseconds, so p99 is coarse; "mean ms" is connections ÷ throughput.',
        `Upstream TCP connections: how many the fake upstream accepted for this target during warm-up and all runs; a pooling proxy stays near its pool size.`,
      ],
    };
  },
};
