// Scenario (a): small authenticated GETs (/system_stats with the admin key) per target, measured with autocannon.
import autocannon from 'autocannon';
import { ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';

export interface GetMeasurement {
  requestsPerSec: number;
  /** Mean latency by Little's law (connections / throughput): exact for a closed-loop load, unlike autocannon's whole-ms histogram. */
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export const GET_CONNECTIONS = 32;
export const GET_DURATION_S = 8;
const WARMUP_S = 1;

function load(url: string, key: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/system_stats`,
    connections: GET_CONNECTIONS,
    duration,
    headers: { authorization: `Bearer ${key}` },
  });
}

/** A short warm-up (JIT, connection pools), then the measured run. Reusable by other scenarios. */
export async function measureGets(target: BenchTarget, durationS = GET_DURATION_S): Promise<GetMeasurement> {
  if (!target.url) throw new Error(`${target.name} is not available`);
  await load(target.url, target.key, WARMUP_S);
  const r = await load(target.url, target.key, durationS);
  return { requestsPerSec: r.requests.average, meanMs: (GET_CONNECTIONS * 1000) / r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

export function getRow(name: string, m: GetMeasurement, direct: GetMeasurement | null, upstreamConnections: number | null = null): string[] {
  return [
    name,
    m.requestsPerSec.toFixed(0),
    m.meanMs.toFixed(2),
    m.p50Ms.toFixed(0),
    m.p99Ms.toFixed(0),
    direct ? ratio(m.requestsPerSec, direct.requestsPerSec) : 'n/a',
    direct ? ratio(m.meanMs, direct.meanMs) : 'n/a',
    String(m.non2xx + m.errors),
    upstreamConnections === null ? '' : String(upstreamConnections),
  ];
}

export const GET_HEADERS = ['target', 'req/s', 'mean ms', 'p50 ms', 'p99 ms', 'req/s vs direct', 'mean latency vs direct', 'non-2xx + errors', 'upstream TCP connections opened'];

export const httpGetsScenario: Scenario = {
  title: `Small authenticated GETs (GET /system_stats, ${GET_CONNECTIONS} connections, ${GET_DURATION_S} s after a ${WARMUP_S} s warm-up)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const rows: string[][] = [];
    let direct: GetMeasurement | null = null;
    for (const target of ctx.targets) {
      if (!target.url) {
        rows.push([target.name, target.note ?? 'not available', ...GET_HEADERS.slice(2).map(() => '')]);
        continue;
      }
      const before = (await ctx.fake.request('connections')) as number;
      const m = await measureGets(target);
      const opened = ((await ctx.fake.request('connections')) as number) - before;
      if (target.name === 'direct') direct = m;
      rows.push(getRow(target.name, m, direct, opened));
    }
    return {
      title: this.title,
      headers: GET_HEADERS,
      rows,
      notes: [
        'The proxy checks Host, Origin and the admin key (SHA-256 + timingSafeEqual) on every request; nginx forwards without any check.',
        'autocannon records latency in whole milliseconds, so p50/p99 are coarse; "mean ms" is connections ÷ throughput.',
        `Upstream TCP connections: how many the fake upstream accepted during warm-up + run (autocannon itself opens ${GET_CONNECTIONS} per run, so direct shows ${2 * GET_CONNECTIONS}); a pooling proxy stays near its pool size.`,
      ],
    };
  },
};
