// Watches every upstream (SPEC §10): an upstream that stops answering is marked down within 2 s, one that
// answers again rejoins, and each one's queue, latency, device and /object_info fingerprint (fetched for all
// live upstreams together, objectInfoRounds.ts) are kept for routing, /health and the monitor. It runs only with several upstreams or when something subscribes;
// with one upstream and no subscriber it keeps no timer at all (the proxy behaves exactly as before).
// Cadence: every `fastMs` while clients are connected, jobs are active or requests arrive; every `watchedMs`
// while only a subscriber watches; otherwise it backs off, doubling up to `idleMaxMs`, until activity.
import type { Upstream } from '../sharing/context';
import type { UpstreamPool } from '../forward/upstreamPool';
import { judgeConsistency } from './consistency';
import type { ObjectInfoDifference, ObjectInfoFingerprint } from './objectInfoHash';
import { ObjectInfoRounds } from './objectInfoRounds';
import { probeDevice, probeLiveness, probeObjectInfo, type DeviceInfo } from './upstreamProbe';
import { DEFAULT_WATCHER_TIMINGS, type UpstreamStateName, type UpstreamStatus, type WatcherHooks, type WatcherTimings } from './watcherTypes';

export type { UpstreamStateName, UpstreamStatus, WatcherHooks, WatcherTimings } from './watcherTypes';
export { DEFAULT_WATCHER_TIMINGS } from './watcherTypes';

interface Entry {
  u: Upstream;
  state: UpstreamStateName;
  latencyMs: number | null;
  device: DeviceInfo | null;
  deviceAt: number;
  /** From the latest round of /object_info fetches; null while unknown. */
  fingerprint: ObjectInfoFingerprint | null;
  /** Epoch ms of the last round that tried it (0: none since it joined or returned). */
  fingerprintTriedAt: number;
  matches: boolean | null;
  problem: string | null;
  difference: ObjectInfoDifference | null;
  error: string | null;
  since: number;
  checkedAt: number | null;
  /** When it last came back after being down (null: up since the start); a tie goes to the longest up. */
  returnedAt: number | null;
  probing: Promise<void> | null;
  /** Bumped when it goes down: a fingerprint fetch from before (maybe hung) no longer counts. */
  generation: number;
}

export class UpstreamWatcher {
  private readonly entries: Entry[];
  private readonly listeners = new Set<(s: UpstreamStatus[]) => void>();
  private readonly t: WatcherTimings;
  private timer: NodeJS.Timeout | null = null;
  private delay = 0;
  private recent = false;
  private stopped = false;
  private signature = '';
  private readonly rounds: ObjectInfoRounds;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly headers: () => Record<string, string>,
    private readonly hooks: WatcherHooks,
    private readonly now: () => number,
    timings: Partial<WatcherTimings> = {},
  ) {
    this.t = { ...DEFAULT_WATCHER_TIMINGS, ...timings };
    const at = now();
    this.entries = pool.all.map((u) => ({
      u, state: 'checking', latencyMs: null, device: null, deviceAt: 0, fingerprint: null, fingerprintTriedAt: 0, matches: null,
      problem: null, difference: null, error: null, since: at, checkedAt: null, returnedAt: null, probing: null, generation: 0,
    }));
    this.rounds = new ObjectInfoRounds(
      {
        members: () => this.entries.filter((e) => e.state !== 'down' && e.checkedAt !== null && e.error === null).map((e) => ({ u: e.u, generation: e.generation })),
        fetch: (u) => probeObjectInfo(u.target, this.headers(), this.t.objectInfoTimeoutMs),
        current: (m) => {
          const e = this.entryOf(m.u.id);
          return e !== undefined && e.state !== 'down' && e.generation === m.generation;
        },
        differing: (fps) => new Set(this.verdict(fps).problems.keys()),
        apply: (fps) => this.applyRound(fps),
      },
      now,
    );
  }

  /** Whether probing is wanted: several upstreams, or a subscriber. */
  get running(): boolean {
    return !this.stopped && (this.pool.all.length > 1 || this.listeners.size > 0);
  }

  start(): void {
    if (this.running && !this.timer) this.schedule(0);
  }

  /** Traffic arrived: probe at the fast rate again. O(1), called on the request path. */
  poke(): void {
    this.recent = true;
    if (this.timer && this.delay > this.t.fastMs) this.schedule(this.t.fastMs);
  }

  /** Something hinted this upstream is gone (its socket closed, a connect was refused): ask it now. */
  async suspect(id: string): Promise<boolean> {
    const e = this.entryOf(id);
    if (!e || !this.running) return true;
    await this.probe(e);
    return e.state !== 'down';
  }

  statuses(): UpstreamStatus[] {
    return this.entries.map((e) => ({
      id: e.u.id,
      state: e.state,
      queue: this.pool.stateOf(e.u.id)?.queue ?? 0,
      latencyMs: e.latencyMs,
      device: e.device,
      objectInfo: { hash: e.fingerprint?.hash ?? null, matches: e.matches, problem: e.problem, difference: e.difference },
      error: e.error,
      since: e.since,
      checkedAt: e.checkedAt,
    }));
  }

  /** Calls `listener` whenever an upstream's state, queue, device or consistency changes. Subscribing starts probing. */
  subscribe(listener: (s: UpstreamStatus[]) => void): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
      if (!this.running) this.clearTimer();
    };
  }

  /** A queue length changed (WS `status`, a job sent there): tell subscribers. */
  queueChanged(): void {
    this.notify();
  }

  stop(): void {
    this.stopped = true;
    this.rounds.stop();
    this.clearTimer();
  }

  private entryOf(id: string): Entry | undefined {
    return this.entries.find((x) => x.u.id === id);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.delay = ms;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = null;
    if (!this.running) return;
    for (const e of this.entries) void this.probe(e);
    const fast = this.recent || this.hooks.busy();
    this.recent = false;
    if (fast) this.schedule(this.t.fastMs);
    else if (this.listeners.size > 0) this.schedule(this.t.watchedMs);
    else this.schedule(Math.min(Math.max(this.delay * 2, this.t.watchedMs), this.t.idleMaxMs));
  }

  private probe(e: Entry): Promise<void> {
    e.probing ??= this.probeOnce(e).finally(() => {
      e.probing = null;
    });
    return e.probing;
  }

  private async probeOnce(e: Entry): Promise<void> {
    const headers = this.headers();
    const r = await probeLiveness(e.u.target, headers, this.t.timeoutMs);
    if (this.stopped) return;
    const at = this.now();
    e.checkedAt = at;
    if (!r.ok) {
      e.error = r.error;
      if (e.state !== 'down') this.markDown(e, r.error, at);
      return;
    }
    e.error = null;
    e.latencyMs = r.latencyMs;
    if (r.queue !== null) this.hooks.onQueue(e.u.id, r.queue);
    if (at - e.deviceAt >= this.t.deviceEveryMs) {
      e.deviceAt = at;
      void probeDevice(e.u.target, headers, this.t.timeoutMs * 2).then((d) => {
        if (d) e.device = d;
        this.notify();
      });
    }
    if (e.state === 'down') this.markReturning(e, at);
    if (this.pool.all.length > 1) {
      // Unknown since it joined (or its last fetch failed a while ago), or the periodic look while busy.
      const unknown = e.fingerprint === null && (e.fingerprintTriedAt === 0 || at - e.fingerprintTriedAt >= this.t.objectInfoRetryMs);
      const due = this.rounds.lastStart > 0 && at - this.rounds.lastStart >= this.t.objectInfoEveryMs && this.hooks.busy();
      if ((unknown || due) && !this.rounds.includes(e.u.id)) this.rounds.request();
    } else if (e.state === 'checking') this.setState(e, 'up', at);
    this.judge();
    this.notify();
  }

  /** A round's result: every member's fingerprint replaced at once (null where the fetch failed). */
  private applyRound(fps: Map<string, ObjectInfoFingerprint | null>): void {
    const at = this.now();
    for (const [id, fp] of fps) {
      const e = this.entryOf(id);
      if (!e) continue;
      e.fingerprint = fp;
      e.fingerprintTriedAt = at;
      // Known now, or unreadable: routing treats an unknown one as matching (only a known difference excludes).
      if (e.state === 'checking') this.setState(e, 'up', at);
    }
    this.judge();
    this.notify();
  }

  private markDown(e: Entry, reason: string, at: number): void {
    this.setState(e, 'down', at);
    e.generation += 1;
    this.rounds.left(e.u.id);
    this.pool.update(e.u.id, { up: false });
    this.judge();
    this.hooks.onDown(e.u, reason);
    this.notify();
  }

  /** Answering again: it takes sockets at once, and new jobs once its nodes are known to match. */
  private markReturning(e: Entry, at: number): void {
    this.setState(e, 'checking', at);
    e.returnedAt = at;
    e.fingerprint = null;
    e.fingerprintTriedAt = 0; // it may come back with other nodes (ComfyUI restarted after an install): a new round
    this.pool.update(e.u.id, { up: true, matching: this.pool.all.length === 1 });
    this.hooks.onUp(e.u);
  }

  private setState(e: Entry, state: UpstreamStateName, at: number): void {
    if (e.state === state) return;
    e.state = state;
    e.since = at;
  }

  /** The verdict over the current fingerprints, with `fps` (a round's result) in place of theirs. */
  private verdict(fps?: Map<string, ObjectInfoFingerprint | null>) {
    return judgeConsistency(
      this.entries.map((e) => ({
        id: e.u.id,
        up: e.state !== 'down',
        fingerprint: fps?.has(e.u.id) ? (fps.get(e.u.id) ?? null) : e.fingerprint,
        returnedAt: e.returnedAt,
      })),
    );
  }

  /** Recomputes who matches the reference node set; logs what changed. */
  private judge(): void {
    if (this.pool.all.length === 1) return;
    const verdict = this.verdict();
    for (const e of this.entries) {
      const matches = e.state === 'down' ? e.matches : (verdict.matches.get(e.u.id) ?? null);
      const problem = verdict.problems.get(e.u.id) ?? null;
      if (e.state !== 'down' && problem !== e.problem) {
        if (problem) this.hooks.onWarning(`upstreams differ: ${problem}; new jobs go only to the matching upstreams`);
        else if (e.problem) this.hooks.onWarning(`upstreams agree again: ${e.u.id} now has the same nodes and models`);
        e.problem = problem;
        e.difference = verdict.differences.get(e.u.id) ?? null;
      }
      e.matches = matches;
      // Unknown (still fetching, or the fetch failed) keeps routing as it was: only a known difference excludes.
      if (e.state === 'up') this.pool.update(e.u.id, { matching: matches !== false });
    }
  }

  private notify(): void {
    if (this.listeners.size === 0) return;
    const s = this.statuses();
    const sig = JSON.stringify(s.map((x) => [x.state, x.queue, x.objectInfo.matches, x.device?.name, x.error]));
    if (sig === this.signature) return;
    this.signature = sig;
    for (const l of this.listeners) {
      try {
        l(s);
      } catch {
        /* a listener never breaks the watcher */
      }
    }
  }
}
