// Scenario (d): the cost of the key check and rate limit as the key store grows — the same small GETs through
// a proxy whose key store holds 10, 10 000 and 100 000 access keys (one presented, rate limit on), next to
// the admin-key-only proxy. Lookup is a hash-map get, so the rows should match within noise.
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';
import { measureGets, warmUp } from './httpGetsScenario';

const COUNTS = [10, 10_000, 100_000];

export const keyCountScenario: Scenario = {
  title: 'Key check + rate limit vs key-store size (GET /system_stats with an access key, best of 2 interleaved runs)',
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const base = ctx.targets.find((t) => t.name === ctx.proxy.target.name);
    const targets: BenchTarget[] = base ? [{ ...base, name: 'proxy (admin key only)' }] : [];
    const startup: Record<string, string> = {};
    for (const n of COUNTS) {
      const started = Date.now();
      const p = await ctx.startProxy({ name: `proxy, ${n.toLocaleString('en')} keys`, auth: 'keyStore', authArg: n });
      startup[p.target.name] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
      targets.push(p.target);
    }
    for (const t of targets) await warmUp(t);
    const best = await bestOfInterleaved(targets, 2, (t) => measureGets(t), (a, b) => a.requestsPerSec > b.requestsPerSec);
    const reference = best.get(targets[0]?.name ?? '') ?? null;
    return {
      title: this.title,
      headers: ['target', 'req/s', 'mean ms', 'p99 ms', 'vs admin-key-only', 'non-2xx + errors', 'process start incl. writing keys'],
      rows: targets.map((t) => {
        const m = best.get(t.name);
        if (!m) return [t.name, 'not measured', '', '', '', '', ''];
        return [
          t.name,
          m.requestsPerSec.toFixed(0),
          m.meanMs.toFixed(2),
          m.p99Ms.toFixed(0),
          reference ? ratio(m.requestsPerSec, reference.requestsPerSec) : 'n/a',
          String(m.non2xx + m.errors),
          startup[t.name] ?? '',
        ];
      }),
      notes: [
        'Each access-key request pays for the admin-key check (SHA-256 + timingSafeEqual), the key-store lookup (SHA-256, one Map get, timingSafeEqual) and a GCRA rate-limit update.',
      ],
    };
  },
};
