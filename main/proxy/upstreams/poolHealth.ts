// GET /health with one or several upstreams (SPEC §4, §10). The seed's single-upstream fields stay as they
// were (with several: queues summed over reachable upstreams, device and `upstream` of the first reachable
// one), and `upstreams` lists every upstream with its state, queue, latency, device and whether its
// /object_info matches the others. Each upstream's sample is cached ≤ 1 s (health.ts); one the watcher
// already knows is down is not asked again, so a hung server never slows /health.
import type { HealthCheck, HealthReport } from './health';
import { sendJson } from '../../http/respond';
import type { LocalRoute } from '../../http/localRoute';
import type { UpstreamPool } from '../forward/upstreamPool';
import type { ObjectInfoDifference } from './objectInfoHash';
import type { UpstreamStateName, UpstreamStatus, UpstreamWatcher } from './upstreamHealth';

export interface UpstreamHealthEntry {
  url: string;
  state: UpstreamStateName;
  reachable: boolean;
  latency_ms: number | null;
  queue: { pending: number; running: number };
  device: { name: string; type: string } | null;
  vram: { total: number; free: number } | null;
  /** `difference`: only when it differs — node classes it lacks or has extra, and `Class.input` that differ. */
  object_info: { hash: string | null; matches: boolean | null; difference?: ObjectInfoDifference };
  error?: string;
}

/** Lists in /health stay short: a server with hundreds of other nodes is named by its first ones. */
const MAX_LISTED = 50;

function shortened(d: ObjectInfoDifference): ObjectInfoDifference {
  return { lacks: d.lacks.slice(0, MAX_LISTED), extra: d.extra.slice(0, MAX_LISTED), inputs: d.inputs.slice(0, MAX_LISTED), nodes: d.nodes.slice(0, MAX_LISTED) };
}

export type PoolHealthReport = HealthReport & {
  upstreams: UpstreamHealthEntry[];
  /** Several upstreams: whether they share one node set, and what differs. */
  consistency?: { consistent: boolean; problems: string[] };
};

type Sample = Omit<HealthReport, 'proxy'> | null;

function entryOf(url: string, sample: Sample, status: UpstreamStatus | undefined, watched: boolean): UpstreamHealthEntry {
  const reachable = sample ? sample.upstream.reachable : false;
  const state: UpstreamStateName = watched && status && status.state !== 'up' ? status.state : reachable ? 'up' : 'down';
  const entry: UpstreamHealthEntry = {
    url,
    state,
    reachable,
    latency_ms: sample?.upstream.latency_ms ?? null,
    queue: sample?.queue ?? { pending: 0, running: 0 },
    device: sample?.device ?? null,
    vram: sample?.vram ?? null,
    object_info: { hash: status?.objectInfo.hash ?? null, matches: status?.objectInfo.matches ?? null },
  };
  const difference = status?.objectInfo.difference;
  if (difference && status?.objectInfo.matches === false) entry.object_info.difference = shortened(difference);
  const error = sample?.upstream.error ?? status?.error ?? undefined;
  if (error) entry.error = error;
  return entry;
}

export class PoolHealth {
  constructor(
    private readonly pool: UpstreamPool,
    /** One per upstream, in the pool's order. */
    private readonly checks: readonly HealthCheck[],
    private readonly watcher: UpstreamWatcher,
  ) {}

  async report(): Promise<PoolHealthReport> {
    const watched = this.watcher.running;
    const statuses = watched ? this.watcher.statuses() : [];
    if (this.pool.single) {
      const only = await (this.checks[0] as HealthCheck).report();
      return { ...only, upstreams: [entryOf(this.pool.primary.target.origin, only, statuses[0], watched)] };
    }
    // One the watcher knows is down is not asked (a hung server would hold /health for its timeout).
    const reports = await Promise.all(this.checks.map((c, i) => (statuses[i]?.state === 'down' ? null : c.report())));
    const primary = reports.find((r) => r !== null) ?? (await (this.checks[0] as HealthCheck).report());
    const samples: Sample[] = reports;
    const entries = this.pool.all.map((u, i) => {
      const sample = samples[i] ?? null;
      const status = statuses[i];
      // The sample saw it gone before the watcher did: ask the watcher to look now.
      if (sample && !sample.upstream.reachable && status?.state !== 'down') void this.watcher.suspect(u.id);
      return entryOf(u.target.origin, sample, status, watched);
    });
    const reachable = entries.map((e, i) => ({ e, s: samples[i] })).filter((x) => x.e.state !== 'down' && x.e.reachable);
    const problems = statuses.flatMap((s) => (s.objectInfo.problem ? [s.objectInfo.problem] : []));
    const first = reachable[0];
    const degraded = reachable.length < entries.length || problems.length > 0 || reachable.some((x) => x.s?.status !== 'ok');
    return {
      status: reachable.length === 0 ? 'down' : degraded ? 'degraded' : 'ok',
      queue: {
        pending: reachable.reduce((n, x) => n + x.e.queue.pending, 0),
        running: reachable.reduce((n, x) => n + x.e.queue.running, 0),
      },
      device: first?.e.device ?? null,
      vram: first?.e.vram ?? null,
      upstream: first?.s?.upstream ?? primary.upstream,
      proxy: primary.proxy,
      upstreams: entries,
      consistency: { consistent: problems.length === 0, problems },
    };
  }
}

/** The public `GET /health` route: 200 while ok or degraded, 503 when down, always with the JSON body. */
export function healthRoute(health: PoolHealth): LocalRoute {
  return {
    methods: ['GET', 'HEAD'],
    path: '/health',
    auth: 'public',
    async handle({ res }) {
      const report = await health.report();
      sendJson(res, report.status === 'down' ? 503 : 200, report);
    },
  };
}
