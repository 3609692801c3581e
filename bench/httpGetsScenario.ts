// Scenario (a): small authenticated GETs (/system_stats with the admin key) per target, measured with autocannon.
import autocannon from 'autocannon';
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';

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
export const GET_DURATION_S = 4;
export const GET_ROUNDS = 2;
const WARMUP_S = 1;

function load(url: string, key: string, duration: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/system_stats`,
    connections: GET_CONNECTIONS,
    duration,
    headers: { authorization: `Bearer ${key}` },
  });
}

/** Warms a target up (JIT, connection pools) without measuring. */
export async function warmUp(target: BenchTarget): Promise<void> {
  if (target.url) await load(target.url, target.key, WARMUP_S);
}

/** One measured autocannon run. Reusable by other scenarios (call warmUp first). */
export async function measureGets(target: BenchTarget, durationS = GET_DURATION_S): Promise<GetMeasurement> {
  if (!target.url) throw new Error(`${target.name} is not available`);
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
  title: `Small authenticated GETs (GET /system_stats, ${GET_CONNECTIONS} connections, best of ${GET_ROUNDS} interleaved ${GET_DURATION_S} s runs after a ${WARMUP_S} s warm-up)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const opened = new Map<string, number>();
    const connections = async (): Promise<number> => (await ctx.fake.request('connections')) as number;
    for (const target of ctx.targets) {
      const before = await connections();
      await warmUp(target);
      opened.set(target.name, (await connections()) - before);
    }
    const best = await bestOfInterleaved(
      ctx.targets,
      GET_ROUNDS,
      async (target) => {
        const before = await connections();
        const m = await measureGets(target);
        opened.set(target.name, (opened.get(target.name) ?? 0) + (await connections()) - before);
        return m;
      },
      (a, b) => a.requestsPerSec > b.requestsPerSec,
    );
    const direct = best.get('direct') ?? null;
    const rows = ctx.targets.map((target) => {
      const m = best.get(target.name);
      return m ? getRow(target.name, m, direct, opened.get(target.name) ?? 0) : [target.name, target.note ?? 'not available', ...GET_HEADERS.slice(2).map(() => '')];
    });
    return {
      title: this.title,
      headers: GET_HEADERS,
      rows,
      notes: [
        'The proxy checks Host, Origin and the admin key (SHA-256 + timingSafeEqual) on every request; nginx forwards without any check.',
        'autocannon records latency in whole milliseconds, so p50/p99 are coarse; "mean ms" is connections ÷ throughput.',
        `Upstream TCP connections: how many the fake upstream accepted during warm-up and all runs (autocannon opens ${GET_CONNECTIONS} per run, so direct shows ${(GET_ROUNDS + 1) * GET_CONNECTIONS}); a pooling proxy stays near its pool size.`,
      ],
    };
  },
};
