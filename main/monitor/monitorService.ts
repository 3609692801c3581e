// The monitor: a ProxyObserver that counts traffic, plus a ~1 s upstream health sampler. Keeps bounded
// history and pushes compact, throttled deltas to subscribers. Jobs come from the job ledger (the one record
// of jobs: it already reads every relayed message), named by node titles (/queue, /object_info).
import type { ProxyObserver, RequestRecord } from '../common/traffic';
import { HealthSampler } from './healthSampler';
import { jobViews, type MonitorJobFeed } from './jobViews';
import { keyJobStats } from './keyJobStats';
import { NodeNames } from './nodeNames';
import { stripSecretParams } from './secretParams';
import { RingBuffer } from './ringBuffer';
import { defaultTimers, SamplePacing, type MonitorTimers } from './samplePacing';
import { TrafficCounter } from './trafficStats';
import { waitingJobs } from './waitingJobs';
import type { HealthSample, JobView, KeyJobStats, MonitorSnapshot, MonitorUpdate, RequestView, UpstreamView, WaitingJobView } from './types';

export type { MonitorJobFeed };

export type { MonitorTimers };

export interface MonitorOptions {
  upstream: () => string;
  upstreamKey?: () => string | null;
  fetch?: typeof fetch;
  now?: () => number;
  timers?: MonitorTimers;
  sampleIntervalMs?: number;
  /** Longest gap between samples while nobody watches (watch()) and the upstream's state holds (default 30 s). */
  idleSampleIntervalMs?: number;
  sampleTimeoutMs?: number;
  /** Health samples kept (at 1 s: 10 minutes). */
  healthHistory?: number;
  /** Per-second traffic points kept. */
  trafficHistory?: number;
  requestLog?: number;
  rateWindowS?: number;
  /** Minimum gap between two pushed updates (≤ 4/s by default). */
  pushIntervalMs?: number;
  /** The job ledger: the jobs shown (running and recently finished), per-key jobs and GPU time. */
  jobs?: MonitorJobFeed;
  /** Hours of jobs the per-key table sums (default 24). */
  keyJobsWindowH?: number;
}

export type MonitorListener = (update: MonitorUpdate) => void;

export { stripSecretParams };

export class MonitorService implements ProxyObserver {
  readonly #upstream: () => string;
  readonly #now: () => number;
  readonly #timers: MonitorTimers;
  readonly #sampler: HealthSampler;
  readonly #pacing: SamplePacing;
  readonly #pushIntervalMs: number;
  readonly #health: RingBuffer<HealthSample>;
  readonly #traffic: TrafficCounter;
  readonly #requests: RingBuffer<RequestView>;
  readonly #ledger: MonitorJobFeed | undefined;
  readonly #keyJobsWindowH: number;
  readonly #names: NodeNames;
  readonly #listeners = new Set<MonitorListener>();
  readonly #stopLedger: (() => void) | undefined;
  #lastUpstream: string;
  #upstreams: UpstreamView[] = [];

  #seq = 0;
  #openSockets = 0;
  #sampleTimer: unknown = null;
  #sampling: Promise<HealthSample> | null = null;
  #running = false;

  // Pending delta and throttle state.
  #pending: MonitorUpdate = {};
  #pendingTraffic = false;
  #flushTimer: unknown = null;
  #lastPushAt = -Infinity;

  constructor(options: MonitorOptions) {
    this.#upstream = options.upstream;
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? defaultTimers;
    this.#pacing = new SamplePacing(options.sampleIntervalMs ?? 1000, options.idleSampleIntervalMs ?? 30_000);
    this.#pushIntervalMs = options.pushIntervalMs ?? 250;
    this.#sampler = new HealthSampler({
      upstream: options.upstream,
      upstreamKey: options.upstreamKey,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      now: this.#now,
      timeoutMs: options.sampleTimeoutMs ?? 1500,
      onQueue: (body) => {
        if (this.#names.observeQueue(body)) this.#queue({ jobs: this.jobs() });
      },
    });
    // /object_info is several MB on a real install: a generous timeout, fetched once per upstream.
    this.#names = new NodeNames(() => this.#sampler.getJson('/object_info', 15_000));
    this.#lastUpstream = options.upstream();
    this.#ledger = options.jobs;
    this.#keyJobsWindowH = options.keyJobsWindowH ?? 24;
    this.#stopLedger = this.#ledger?.subscribe((event) => {
      if (event.type === 'progress') return this.#queue({ jobs: this.jobs() });
      const waiting = this.waiting();
      this.#queue(event.type === 'started' ? { jobs: this.jobs(), waiting } : { jobs: this.jobs(), waiting, keyJobs: this.keyJobs() });
    }, { progress: true });
    this.#health = new RingBuffer(options.healthHistory ?? 600);
    this.#traffic = new TrafficCounter({ historySeconds: options.trafficHistory ?? 300, windowS: options.rateWindowS ?? 10 });
    this.#requests = new RingBuffer(options.requestLog ?? 200);
  }

  // ------------------------------------------------------------ lifecycle

  /** Starts sampling the upstream (first sample at once): every second while watched, backing off when not. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#tick();
  }

  stop(): void {
    this.#running = false;
    this.#stopLedger?.();
    if (this.#sampleTimer !== null) this.#timers.clearTimeout(this.#sampleTimer);
    if (this.#flushTimer !== null) this.#timers.clearTimeout(this.#flushTimer);
    this.#sampleTimer = null;
    this.#flushTimer = null;
  }

  /** Takes one health sample now (joins one already in flight). */
  sampleNow(): Promise<HealthSample> {
    if (!this.#sampling) {
      const upstream = this.#upstream();
      if (upstream !== this.#lastUpstream) {
        this.#lastUpstream = upstream;
        this.#names.reset();
      }
      this.#sampling = this.#sampler.sample().then((sample) => {
        this.#sampling = null;
        this.#health.push(sample);
        this.#queue({ health: sample });
        if (sample.up) void this.#names.loadDisplayNames().then((loaded) => loaded && this.#queue({ jobs: this.jobs() }));
        return sample;
      });
    }
    return this.#sampling;
  }

  /** The window shows the monitor until the returned function is called: a sample now, then every second. */
  watch(): () => void {
    const first = !this.#pacing.watched;
    const stop = this.#pacing.watch();
    if (first && this.#running && this.#sampleTimer !== null) {
      this.#timers.clearTimeout(this.#sampleTimer);
      this.#sampleTimer = null;
      void this.#tick();
    }
    return stop;
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    // Close the seconds that ended, so charts advance even without traffic.
    if (this.#traffic.advance(this.#now()).length > 0) this.#queueTraffic();
    const before = this.#health.last()?.up;
    const sample = await this.sampleNow();
    if (!this.#running || this.#sampleTimer !== null) return;
    const wait = this.#pacing.next(before !== undefined && before !== sample.up);
    this.#sampleTimer = this.#timers.setTimeout(() => {
      this.#sampleTimer = null;
      void this.#tick();
    }, wait);
  }

  // ------------------------------------------------------------ ProxyObserver

  onRequest(record: RequestRecord): void {
    const now = this.#now();
    this.#traffic.record(record.status, record.keyId, record.keyName, now);
    const { at, method, status, durationMs, keyName } = record;
    const view: RequestView = { seq: ++this.#seq, at, method, path: stripSecretParams(record.path), status, durationMs, keyName, websocket: record.websocket === true };
    this.#requests.push(view);
    (this.#pending.requests ??= []).push(view);
    // Bound the pending delta like the log itself.
    if (this.#pending.requests.length > this.#requests.capacity) this.#pending.requests.shift();
    this.#queueTraffic();
  }

  onWsOpen(): void {
    this.#openSockets++;
    this.#queue({ openSockets: this.#openSockets });
  }

  onWsClose(): void {
    this.#openSockets = Math.max(0, this.#openSockets - 1);
    this.#queue({ openSockets: this.#openSockets });
  }

  // ------------------------------------------------------------ reading

  snapshot(): MonitorSnapshot {
    const traffic = this.#traffic.stats(this.#now());
    return {
      upstreamUrl: this.#upstream(),
      upstreams: this.#upstreams,
      health: this.#health.last() ?? null,
      healthHistory: this.#health.toArray(),
      traffic,
      trafficHistory: this.#traffic.history(),
      requests: this.#requests.toArray(),
      jobs: this.jobs(),
      waiting: this.waiting(),
      keyJobs: this.keyJobs(),
      keyJobsWindowH: this.#keyJobsWindowH,
      openSockets: this.#openSockets,
    };
  }

  /** The proxy's per-upstream state changed (RunningProxy.onUpstreamChange). */
  setUpstreams(upstreams: UpstreamView[]): void {
    this.#upstreams = upstreams;
    this.#queue({ upstreams });
  }

  latestHealth(): HealthSample | null {
    return this.#health.last() ?? null;
  }

  /** Running jobs (oldest first), then the last finished ones (newest first), from the ledger, with node names. */
  jobs(): JobView[] {
    return this.#ledger ? jobViews(this.#ledger, this.#names) : [];
  }

  /** Every waiting job with its key, share and expected start, in run order per upstream; empty without a ledger. */
  waiting(): WaitingJobView[] {
    return this.#ledger ? waitingJobs(this.#ledger, this.#now()) : [];
  }

  /** Jobs and GPU time per owner over the window; empty without a ledger. */
  keyJobs(): KeyJobStats[] {
    if (!this.#ledger) return [];
    return keyJobStats(this.#ledger.list({ since: this.#now() - this.#keyJobsWindowH * 3_600_000, limit: 10_000 }));
  }

  subscribe(listener: MonitorListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ------------------------------------------------------------ throttled push

  #queueTraffic(): void {
    this.#pendingTraffic = true;
    this.#schedule();
  }

  #queue(delta: MonitorUpdate): void {
    Object.assign(this.#pending, delta);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#flushTimer !== null || this.#listeners.size === 0) {
      if (this.#listeners.size === 0) this.#resetPending();
      return;
    }
    const wait = Math.max(0, this.#lastPushAt + this.#pushIntervalMs - this.#now());
    this.#flushTimer = this.#timers.setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#flushTimer = null;
    const update = this.#pending;
    if (this.#pendingTraffic) {
      update.traffic = this.#traffic.stats(this.#now());
      const points = this.#traffic.drainClosed(this.#now());
      if (points.length > 0) update.trafficPoints = points;
    }
    this.#resetPending();
    this.#lastPushAt = this.#now();
    for (const listener of this.#listeners) {
      try {
        listener(update);
      } catch {
        // A broken listener must not stop the others or the proxy.
      }
    }
  }

  #resetPending(): void {
    this.#pending = {};
    this.#pendingTraffic = false;
  }
}
