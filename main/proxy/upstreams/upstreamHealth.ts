// Watches every upstream (SPEC §10): an upstream that stops answering is marked down within 2 s, one that
// answers again rejoins, and each one's queue, latency, device and /object_info fingerprint are kept for
// routing, /health and the monitor. It runs only with several upstreams or when something subscribes;
// with one upstream and no subscriber it keeps no timer at all (the proxy behaves exactly as before).
// Cadence: every `fastMs` while clients are connected, jobs are active or requests arrive; every `watchedMs`
// while only a subscriber watches; otherwise it backs off, doubling up to `idleMaxMs`, until activity.
import type { Upstream } from '../sharing/context';
import type { UpstreamPool } from '../forward/upstreamPool';
import { judgeConsistency } from './consistency';
import type { ObjectInfoFingerprint } from './objectInfoHash';
import { probeDevice, probeLiveness, probeObjectInfo, type DeviceInfo } from './upstreamProbe';

export type UpstreamStateName = 'up' | 'down' | 'checking';

/** One upstream as the monitor, the tray and /health see it. */
export interface UpstreamStatus {
  /** The upstream's URL (its id in the job ledger). */
  id: string;
  state: UpstreamStateName;
  /** queue_remaining: pending + running, from probes and WS `status` messages. */
  queue: number;
  latencyMs: number | null;
  device: DeviceInfo | null;
  objectInfo: { hash: string | null; matches: boolean | null; problem: string | null };
  /** Why it is down (never a secret). */
  error: string | null;
  /** Epoch ms of the last state change. */
  since: number;
  /** Epoch ms of the last answer or failure. */
  checkedAt: number | null;
}

export interface WatcherTimings {
  fastMs: number;
  watchedMs: number;
  idleMaxMs: number;
  /** A liveness probe without an answer for this long marks the upstream down. */
  timeoutMs: number;
  deviceEveryMs: number;
  objectInfoEveryMs: number;
  objectInfoTimeoutMs: number;
}

// Down within 2 s: the next probe starts at most fastMs after the last answer and gives up after timeoutMs.
export const DEFAULT_WATCHER_TIMINGS: WatcherTimings = {
  fastMs: 500,
  watchedMs: 1000,
  idleMaxMs: 30_000,
  timeoutMs: 1000,
  deviceEveryMs: 5000,
  objectInfoEveryMs: 5 * 60_000,
  objectInfoTimeoutMs: 30_000,
};

export interface WatcherHooks {
  onDown(u: Upstream, reason: string): void;
  onUp(u: Upstream): void;
  /** A consistency finding for the log (a mismatch appeared, changed or went away). */
  onWarning(message: string): void;
  /** Clients connected or jobs active: probe at the fast rate. */
  busy(): boolean;
  /** The upstream's queue_remaining, as a probe found it. */
  onQueue(id: string, n: number): void;
}

interface Entry {
  u: Upstream;
  state: UpstreamStateName;
  latencyMs: number | null;
  device: DeviceInfo | null;
  deviceAt: number;
  fingerprint: ObjectInfoFingerprint | null;
  fingerprintAt: number;
  matches: boolean | null;
  problem: string | null;
  error: string | null;
  since: number;
  checkedAt: number | null;
  probing: Promise<void> | null;
  fetching: boolean;
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
      u, state: 'checking', latencyMs: null, device: null, deviceAt: 0, fingerprint: null, fingerprintAt: 0,
      matches: null, problem: null, error: null, since: at, checkedAt: null, probing: null, fetching: false, generation: 0,
    }));
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
    const e = this.entries.find((x) => x.u.id === id);
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
      objectInfo: { hash: e.fingerprint?.hash ?? null, matches: e.matches, problem: e.problem },
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
    this.clearTimer();
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
    const several = this.pool.all.length > 1;
    const stale = e.fingerprintAt === 0 || (at - e.fingerprintAt >= this.t.objectInfoEveryMs && this.hooks.busy());
    if (several && stale && !e.fetching) void this.fetchFingerprint(e, headers, at);
    else if (e.state === 'checking' && !e.fetching) this.setState(e, 'up', at);
    this.judge();
    this.notify();
  }

  /** Apart from the liveness probe, which keeps running while a large /object_info is read. */
  private async fetchFingerprint(e: Entry, headers: Record<string, string>, at: number): Promise<void> {
    e.fetching = true;
    e.fingerprintAt = at;
    const generation = e.generation;
    const fp = await probeObjectInfo(e.u.target, headers, this.t.objectInfoTimeoutMs);
    if (this.stopped || generation !== e.generation) return;
    e.fetching = false;
    if (fp) e.fingerprint = fp;
    else e.fingerprintAt = 0; // asked again on the next round; routing meanwhile treats it as matching
    if (e.state === 'checking') this.setState(e, 'up', this.now());
    this.judge();
    this.notify();
  }

  private markDown(e: Entry, reason: string, at: number): void {
    this.setState(e, 'down', at);
    e.generation += 1;
    e.fetching = false;
    this.pool.update(e.u.id, { up: false });
    this.judge();
    this.hooks.onDown(e.u, reason);
    this.notify();
  }

  /** Answering again: it takes sockets at once, and new jobs once its nodes are known to match. */
  private markReturning(e: Entry, at: number): void {
    this.setState(e, 'checking', at);
    e.fingerprint = null;
    e.fingerprintAt = 0; // it may come back with other nodes (ComfyUI restarted after an install)
    this.pool.update(e.u.id, { up: true, matching: this.pool.all.length === 1 });
    this.hooks.onUp(e.u);
  }

  private setState(e: Entry, state: UpstreamStateName, at: number): void {
    if (e.state === state) return;
    e.state = state;
    e.since = at;
  }

  /** Recomputes who matches the reference node set; logs what changed. */
  private judge(): void {
    if (this.pool.all.length === 1) return;
    const verdict = judgeConsistency(this.entries.map((e) => ({ id: e.u.id, up: e.state !== 'down', fingerprint: e.fingerprint })));
    for (const e of this.entries) {
      const matches = e.state === 'down' ? e.matches : (verdict.matches.get(e.u.id) ?? null);
      const problem = verdict.problems.get(e.u.id) ?? null;
      if (e.state !== 'down' && problem !== e.problem) {
        if (problem) this.hooks.onWarning(`upstreams differ: ${problem}; new jobs go only to the matching upstreams`);
        else if (e.problem) this.hooks.onWarning(`upstreams agree again: ${e.u.id} now has the same nodes and models`);
        e.problem = problem;
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
