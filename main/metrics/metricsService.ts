// Prometheus metrics of the proxy (SPEC §11), with the ecosystem's client library (prom-client): families named
// `comfy_companion_*`, labelled by `key_id` / `key_name` (never a secret). The request path only bumps plain
// numbers (a Map lookup and two increments) and one label-less histogram; everything labelled is written into
// prom-client's metrics when Prometheus scrapes (collect()), from these numbers, from usage (so jobs, GPU
// seconds and cloud jobs match `keys usage` exactly) and from the live proxy. Keys that are revoked or gone
// lose their series at the next scrape, so cardinality stays bounded by the key store.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestRecord, ProxyObserver } from '../common/traffic';
import type { JobEvent, JobLedgerApi } from '../jobs/types';
import { gpuMsOf } from '../jobs/types';
import { countsOf, KEY_LABELS, labelsOf, type KeyCounts, type LiveProxy, type MetricsSources, type UpstreamSample } from './metricsSources';

const P = 'comfy_companion_';
const ANONYMOUS = '@anonymous';
/** Status class labels, made once rather than per request. */
const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export class MetricsService implements ProxyObserver {
  readonly registry = new Registry();
  readonly #sources: MetricsSources;
  #live: LiveProxy | null = null;
  /** The upstreams as /health saw them at the start of this scrape. */
  #upstreams: UpstreamSample[] = [];
  /** key id (or @admin / @anonymous) → requests by status class, refusals by policy; bounded by collect(). */
  readonly #byKey = new Map<string, KeyCounts>();
  /** Admin's jobs (usage counts access keys only). */
  readonly #admin = { jobs: new Map<string, number>(), gpuSeconds: 0, cloudJobs: 0 };
  #openSockets = 0;
  readonly #duration: Histogram;
  readonly #stopLedger: () => void;

  constructor(sources: MetricsSources, ledger: Pick<JobLedgerApi, 'subscribe'>) {
    this.#sources = sources;
    const r = [this.registry];
    this.#duration = new Histogram({ name: `${P}request_duration_seconds`, help: 'Time from request to the end of the response, seconds.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: r });
    const self = this;
    new Counter({ name: `${P}requests_total`, help: 'Requests through the proxy by key and status class.', labelNames: [...KEY_LABELS, 'status_class'], registers: r, collect() {
      this.reset();
      for (const [labels, c] of self.#kept()) for (const [cls, n] of Object.entries(c.status)) this.inc({ ...labels, status_class: cls }, n);
    } });
    new Counter({ name: `${P}refusals_total`, help: 'Requests refused with 429, by key and quota policy.', labelNames: [...KEY_LABELS, 'policy'], registers: r, collect() {
      this.reset();
      for (const [labels, c] of self.#kept()) for (const [policy, n] of Object.entries(c.refusals)) this.inc({ ...labels, policy }, n);
    } });
    new Counter({ name: `${P}jobs_total`, help: 'Finished jobs by key and outcome (as keys usage counts them).', labelNames: [...KEY_LABELS, 'outcome'], registers: r, collect() {
      this.reset();
      for (const k of self.#sources.keys()) {
        const t = self.#sources.usage(k.key_id);
        for (const [outcome, n] of [['success', t.jobs_success], ['error', t.jobs_failed], ['interrupted', t.jobs_interrupted]] as const) this.inc({ ...labelsOf(k), outcome }, n);
      }
      for (const [outcome, n] of self.#admin.jobs) this.inc({ key_id: '@admin', key_name: 'admin', outcome }, n);
    } });
    new Counter({ name: `${P}gpu_seconds_total`, help: "ComfyUI's run time of finished jobs, seconds, by key.", labelNames: KEY_LABELS, registers: r, collect() {
      this.reset();
      for (const k of self.#sources.keys()) this.inc(labelsOf(k), self.#sources.usage(k.key_id).gpu_seconds);
      this.inc({ key_id: '@admin', key_name: 'admin' }, self.#admin.gpuSeconds);
    } });
    new Counter({ name: `${P}cloud_jobs_total`, help: "Jobs with paid API nodes on the owner's Comfy account, by key.", labelNames: KEY_LABELS, registers: r, collect() {
      this.reset();
      for (const k of self.#sources.keys()) this.inc(labelsOf(k), self.#sources.usage(k.key_id).cloud_jobs);
      this.inc({ key_id: '@admin', key_name: 'admin' }, self.#admin.cloudJobs);
    } });
    new Gauge({ name: `${P}upstream_up`, help: 'Whether each ComfyUI server answers (1) or not (0).', labelNames: ['upstream'], registers: r, collect() {
      this.reset();
      for (const u of self.#upstreams) this.set({ upstream: u.url }, u.state === 'up' && u.reachable ? 1 : 0);
    } });
    new Gauge({ name: `${P}upstream_queue`, help: "Each ComfyUI server's queue as it reports it, by state (pending, running).", labelNames: ['upstream', 'state'], registers: r, collect() {
      this.reset();
      for (const u of self.#upstreams) for (const state of ['pending', 'running'] as const) this.set({ upstream: u.url, state }, u.queue[state]);
    } });
    new Gauge({ name: `${P}jobs_active`, help: "Jobs queued through the proxy that have not ended, by upstream and state (the job ledger's view).", labelNames: ['upstream', 'state'], registers: r, collect() {
      this.reset();
      for (const [upstream, states] of self.#sources.activeJobs()) for (const [state, n] of Object.entries(states)) this.set({ upstream, state }, n);
    } });
    new Gauge({ name: `${P}open_websockets`, help: 'Client WebSockets relayed now.', registers: r, collect() {
      this.set(self.#openSockets);
    } });
    new Gauge({ name: `${P}in_flight_requests`, help: 'Upstream requests in flight (state=active) and waiting for a slot (state=waiting).', labelNames: ['state'], registers: r, collect() {
      const s = self.#live?.inFlight() ?? { active: 0, waiting: 0 };
      this.set({ state: 'active' }, s.active);
      this.set({ state: 'waiting' }, s.waiting);
    } });
    this.#stopLedger = ledger.subscribe((e) => this.#onJob(e));
  }

  /** The running proxy, once it listens (its upstreams and in-flight gate). */
  attach(live: LiveProxy | null): void {
    this.#live = live;
  }

  onRequest(record: RequestRecord): void {
    const id = record.keyId ?? (record.keyName === 'admin' ? '@admin' : ANONYMOUS);
    let c = this.#byKey.get(id);
    if (!c) this.#byKey.set(id, (c = countsOf()));
    const cls = STATUS_CLASSES[Math.floor(record.status / 100)] ?? `${Math.floor(record.status / 100)}xx`;
    c.status[cls] = (c.status[cls] ?? 0) + 1;
    if (record.refusedPolicy) c.refusals[record.refusedPolicy] = (c.refusals[record.refusedPolicy] ?? 0) + 1;
    this.#duration.observe(record.durationMs / 1000);
  }

  onWsOpen(): void {
    this.#openSockets++;
  }

  onWsClose(): void {
    this.#openSockets = Math.max(0, this.#openSockets - 1);
  }

  /** The text exposition format and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    this.#upstreams = (await this.#live?.upstreams().catch(() => [])) ?? [];
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  close(): void {
    this.#stopLedger();
  }

  #onJob(e: JobEvent): void {
    if (e.type !== 'finished' || e.job.owner !== '@admin' || e.job.state === 'deleted') return;
    const outcome = e.job.state === 'cached' ? 'success' : e.job.state;
    this.#admin.jobs.set(outcome, (this.#admin.jobs.get(outcome) ?? 0) + 1);
    this.#admin.gpuSeconds += gpuMsOf(e.job) / 1000;
    if (e.job.cloud) this.#admin.cloudJobs++;
  }

  /** Counters of keys that still exist and are not revoked (plus admin and anonymous) with their labels; the rest are dropped. */
  #kept(): [{ key_id: string; key_name: string }, KeyCounts][] {
    const names = new Map(this.#sources.keys().map((k) => [k.key_id, k.name]));
    const out: [{ key_id: string; key_name: string }, KeyCounts][] = [];
    for (const [id, c] of this.#byKey) {
      if (id === '@admin') out.push([{ key_id: id, key_name: 'admin' }, c]);
      else if (id === ANONYMOUS) out.push([{ key_id: id, key_name: '' }, c]);
      else if (names.has(id)) out.push([{ key_id: id, key_name: names.get(id) ?? '' }, c]);
      else this.#byKey.delete(id);
    }
    return out;
  }
}
