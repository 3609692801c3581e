// Every job ends in the ledger on its own (SPEC §11): a script that only POSTs gets a client_id nobody
// listens on, so no relayed message ever says its job ended. While the ledger holds jobs ComfyUI accepted and
// the proxy has not seen end, this reads each such upstream's /queue and looks up the jobs that left it in
// /history (jobSync.ts: batched, a few at a time), first 1 s after a job was queued, then backing off to
// every 5 s while nothing changes — so a job settles within ~5 s of its end. With no job outstanding there is
// no timer and no request at all: idle stays idle. An upstream that is down is skipped (failover fails its jobs).
import type { OutgoingHttpHeaders } from 'node:http';
import { exchange, jsonOf } from '../forward/upstreamExchange';
import type { UpstreamTarget } from '../forward/upstreamTarget';
import type { SharingDeps } from './context';
import { activeSnapshot, settleVanished } from './jobSync';

export interface SettlerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface JobSettlerOptions {
  /** Headers for the proxy's own reads of an upstream (its key, when set). */
  headersFor(target: UpstreamTarget): OutgoingHttpHeaders;
  timers?: SettlerTimers;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

const realTimers: SettlerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class JobSettler {
  readonly #deps: SharingDeps;
  readonly #o: Required<JobSettlerOptions>;
  #timer: unknown = null;
  #delay: number;
  #running = false;
  #stopped = false;
  readonly #unsubscribe: () => void;

  constructor(deps: SharingDeps, options: JobSettlerOptions) {
    this.#deps = deps;
    this.#o = { timers: realTimers, firstDelayMs: 1_000, maxDelayMs: 5_000, ...options };
    this.#delay = this.#o.firstDelayMs;
    // A new job restarts the fast pace; jobs left over from before a restart are picked up at once.
    this.#unsubscribe = deps.ledger.subscribe((e) => {
      if (e.type === 'queued') this.#arm(this.#o.firstDelayMs);
    });
    if (this.#outstanding().size > 0) this.#arm(this.#o.firstDelayMs);
  }

  /** Whether a read is scheduled (false while idle). */
  get armed(): boolean {
    return this.#timer !== null;
  }

  stop(): void {
    this.#stopped = true;
    this.#unsubscribe();
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** One round now (tests, and the timer). Resolves when the round is done. */
  async settleNow(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const before = this.#outstanding();
      await Promise.all([...before.keys()].map((id) => this.#settleUpstream(id)));
      const after = this.#outstanding();
      const progressed = [...before.values()].reduce((n, c) => n + c, 0) > [...after.values()].reduce((n, c) => n + c, 0);
      this.#delay = progressed ? this.#o.firstDelayMs : Math.min(this.#delay * 2, this.#o.maxDelayMs);
      if (after.size > 0) this.#arm(this.#delay);
    } finally {
      this.#running = false;
    }
  }

  #arm(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#timer !== null) {
      if (delayMs >= this.#delay) return; // already due sooner or as soon
      this.#o.timers.clearTimeout(this.#timer);
    }
    this.#delay = delayMs;
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = null;
      void this.settleNow();
    }, delayMs);
  }

  /** Upstream id → jobs ComfyUI accepted whose end the ledger has not seen. */
  #outstanding(): Map<string, number> {
    const by = new Map<string, number>();
    for (const j of this.#deps.ledger.list({ states: ['pending', 'running'], limit: Number.MAX_SAFE_INTEGER })) {
      if (j.number !== null) by.set(j.upstream, (by.get(j.upstream) ?? 0) + 1);
    }
    return by;
  }

  async #settleUpstream(upstreamId: string): Promise<void> {
    const upstream = this.#deps.upstreamById(upstreamId);
    if (!upstream) return;
    const headers = () => this.#o.headersFor(upstream.target);
    const snapshot = activeSnapshot(this.#deps, upstreamId);
    try {
      const a = await exchange(upstream.target, { method: 'GET', path: '/queue', headers: headers(), responseTimeoutMs: this.#deps.responseTimeoutMs });
      if (a.status === 200) await settleVanished(this.#deps, (t) => this.#o.headersFor(t), upstream, snapshot, jsonOf(a.body));
    } catch {
      /* down or slow: the next round tries again; failover fails its jobs if it stays down */
    }
  }
}
