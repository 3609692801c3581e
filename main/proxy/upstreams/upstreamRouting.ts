// The several-upstreams layer of the proxy (SPEC §10), assembled in one place for server.ts: the health
// watcher and what follows from it (failed jobs, closed and rejoined sockets), where each request goes
// (new jobs to the shortest queue among matching upstreams holding their uploads, outputs to the upstream
// that made them), uploads sent to every live upstream, the shared reads, and the state the app shows.
// With one upstream, only `upstreamFor` is used on the request path and it returns that upstream.
import type { JobLedgerApi, JobOwner } from '../../jobs/types';
import type { MultiUpstreamHooks, SharingRequest, Upstream } from '../sharing/context';
import type { UpstreamPool } from '../forward/upstreamPool';
import type { UpstreamTimeouts } from '../forward/upstreamTimeouts';
import type { WsRelay, WsRelayOptions } from '../ws/wsRelay';
import { HealthCheck } from './health';
import { PoolHealth } from './poolHealth';
import { QueueEstimate } from './queueEstimate';
import { SharedReads } from './sharedReads';
import { answerBufferedUpload, answerUpload } from './uploadAnswer';
import { UploadRegistry } from './uploadRegistry';
import { checkGone, submitFailure } from './resubmission';
import { upstreamCameBack, upstreamWentDown } from './upstreamFailover';
import { UpstreamWatcher, type WatcherTimings } from './upstreamHealth';

export interface UpstreamRoutingParts {
  pool: UpstreamPool;
  ledger: JobLedgerApi;
  relay: WsRelay;
  upstreamKey: () => string | null;
  now: () => number;
  timeouts: UpstreamTimeouts;
  /** Consistency findings and state changes, one line each (the CLI prints them as warnings). */
  log: (message: string) => void;
  watcher?: Partial<WatcherTimings>;
}

export interface UpstreamRouting {
  watcher: UpstreamWatcher;
  /** SharingDeps.multi: undefined with one upstream, so the sharing rules run exactly as before. */
  hooks: MultiUpstreamHooks | undefined;
  ws: Pick<WsRelayOptions, 'mergeStatus' | 'onStatus' | 'onUpstreamLost'>;
  /** Where a streamed request goes: the first live upstream that matches the others. */
  upstreamFor(url: URL): Upstream;
  /** Candidates for a new job, best first. */
  forNewJob(prompt?: unknown): Upstream[];
  /** Stops the watcher and closes the upstreams' connection pools. */
  close(): void;
  /** /health over every upstream (one HealthCheck each, cached ≤ 1 s). */
  health(version: string, startedAt: number): PoolHealth;
}

const OUTPUT_TYPES = new Set(['output', 'temp']);

export function createUpstreamRouting(p: UpstreamRoutingParts): UpstreamRouting {
  const { pool, relay } = p;
  const several = pool.all.length > 1;
  const uploads = new UploadRegistry();
  const headers = (): Record<string, string> => {
    const key = p.upstreamKey();
    return key ? { authorization: `Bearer ${key}` } : {};
  };
  const liveMatching = (): Upstream[] => {
    const live = pool.live();
    const matching = live.filter((u) => pool.stateOf(u.id)?.matching !== false);
    return matching.length > 0 ? matching : live;
  };
  // The watcher is created below; its subscribers hear of queue changes through this late-bound call.
  const queues = new QueueEstimate(pool, () => watcher.queueChanged());
  const reads = new SharedReads({ live: liveMatching, now: p.now, responseTimeoutMs: p.timeouts.responseMs });
  const watcher = new UpstreamWatcher(
    pool,
    headers,
    {
      onDown(u, reason) {
        reads.invalidate();
        queues.reset(u.id);
        const failed = upstreamWentDown(u, reason, { ledger: p.ledger, relay, at: p.now() });
        p.log(`ComfyUI at ${u.id} is down (${reason})${failed.length ? `; ${failed.length} job(s) on it reported failed` : ''}${several ? '; new jobs go to the others' : ''}`);
      },
      onUp(u) {
        reads.invalidate();
        upstreamCameBack(u, relay);
        p.log(`ComfyUI at ${u.id} answers again; it rejoins`);
      },
      onWarning: (m) => p.log(m),
      busy: () => relay.size > 0 || pool.all.some((u) => p.ledger.runningOn(u.id) !== undefined),
      onQueue: (id, n) => queues.reported(id, n),
    },
    p.now,
    p.watcher,
  );
  const rejoinIfUp = (id: string) => {
    const u = pool.byId(id);
    if (!u) return;
    void watcher.suspect(id).then((up) => {
      if (up && pool.stateOf(id)?.up) relay.joinAll(u);
    });
  };
  const forNewJob = (prompt?: unknown): Upstream[] => {
    const best = pool.forNewJob();
    const holders = several ? uploads.holdersFor(prompt) : null;
    if (!holders) return best;
    const holding = best.filter((u) => holders.has(u.id));
    return holding.length > 0 ? holding : best;
  };

  const hooks: MultiUpstreamHooks = {
    jobSending: (id) => queues.sending(id),
    jobAnswered: (id, accepted) => queues.answered(id, accepted),
    async resubmit(id, err, hasNext) {
      const failure = submitFailure(err);
      const u = pool.byId(id);
      if (failure === 'other' || !u) return false;
      if (failure === 'refused' || !hasNext) {
        rejoinIfUp(id);
        return failure === 'refused' && hasNext;
      }
      // Reset before any answer: only a server found gone cannot hold the job (resubmission.ts).
      const fate = await checkGone(u.target, headers());
      rejoinIfUp(id);
      if (fate === 'gone') p.log(`ComfyUI at ${id} reset a job submission and is gone; the job goes to the next upstream`);
      return fate === 'gone';
    },
    async upload(r: SharingRequest, path, fileHeaders, onStored) {
      // Even with one live, the tee records who holds the file (the others lack it when they return).
      const live = pool.live();
      if (live.length === 0) return false;
      const outcome = await answerUpload(r, live, path, fileHeaders, p.timeouts);
      if (outcome.ref) uploads.record(outcome.ref, outcome.holders);
      if (outcome.ref) onStored?.(outcome.ref);
      for (const id of outcome.refused) rejoinIfUp(id);
      reads.invalidate();
      return true;
    },
    async uploadBody(r: SharingRequest, path, body, onStored) {
      const outcome = await answerBufferedUpload(r, pool.live(), path, body, p.timeouts);
      if (outcome.ref) uploads.record(outcome.ref, outcome.holders);
      if (outcome.ref) onStored?.(outcome.ref);
      for (const id of outcome.refused) rejoinIfUp(id);
      reads.invalidate();
      return true;
    },
    sharedRead: (kind, r, path, rewrite) => reads.answer(kind, r, path, rewrite),
    fileUpstream(owner: JobOwner, url: URL) {
      const type = url.searchParams.get('type') || 'output';
      if (!OUTPUT_TYPES.has(type)) return undefined;
      const id = p.ledger.upstreamOfOutput(owner, type, url.searchParams.get('subfolder') ?? '', url.searchParams.get('filename') ?? '');
      return id === undefined ? undefined : pool.byId(id);
    },
  };

  return {
    watcher,
    hooks: several ? hooks : undefined,
    ws: several
      ? {
          mergeStatus: true,
          onStatus: (id, n) => queues.reported(id, n),
          onUpstreamLost: rejoinIfUp,
        }
      : {},
    upstreamFor: () => (several ? (liveMatching()[0] ?? pool.primary) : pool.primary),
    forNewJob,
    health: (version, startedAt) =>
      new PoolHealth(pool, pool.all.map((u) => new HealthCheck(u.target, { version, startedAt, upstreamKey: p.upstreamKey, now: p.now })), watcher),
    close() {
      watcher.stop();
      pool.close();
    },
  };
}
