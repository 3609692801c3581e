// Per-key usage statistics: requests (from the proxy's observer hook) and jobs with their GPU seconds
// (from the job ledger's 'finished' events), totals and per UTC day, plus last_used. Held in memory,
// written to <dataDir>/usage.json in batches (never per request), loaded again at start. Days older
// than the retention period are dropped at each flush and by prune().
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobEvent, JobLedgerApi } from '../jobs/types';
import type { ProxyObserver, RequestRecord } from '../common/traffic';
import { writeFileAtomicSync } from '../common/atomicFile';
import { BatchedFlush } from '../common/batchedFlush';
import { addDays, emptyDay, jobContribution, num, readDay, utcDay, type UsageDay } from './usageDays';
import { gauge } from '../common/sizeGauges';

export const USAGE_FILE = 'usage.json';
const DAY_MS = 86_400_000;
/** Finished jobs remembered so a repeated 'finished' event for one job is not counted twice. */
const SEEN_JOBS = 10_000;

/** The seed-compatible request statistics of one key (GET /api/usage's usage_stats). */
export interface KeyUsage {
  total_requests: number;
  successful_requests: number;
  failed_requests: number;
  /** Seconds, summed over all requests. */
  total_duration: number;
  /** Epoch seconds (float) of the last request, or null. */
  last_used: number | null;
  /** UTC date "YYYY-MM-DD" -> requests. */
  requests_per_day: Record<string, number>;
}

/** Jobs and GPU time of one key: all-time totals and the kept days. */
export interface KeyJobUsage {
  totals: UsageDay;
  /** UTC date → that day's counts (only days with activity). */
  days: Record<string, UsageDay>;
}

interface Entry {
  total_requests: number;
  successful_requests: number;
  failed_requests: number;
  total_duration: number;
  last_used: number | null;
  /** All-time job counts and GPU seconds (requests fields unused: those are the totals above). */
  jobs: UsageDay;
  days: Record<string, UsageDay>;
}

export interface UsageRecorderOptions {
  dataDir: string;
  /** Batch flush interval, ms (default 1000). 0 disables the timer (flush manually). */
  flushIntervalMs?: number;
  /** Days of per-day counts kept (default 90; the retention setting). */
  retentionDays?: number;
  now?: () => number;
  /** A reader (the CLI) loads the file but never writes it; only the server writes usage. */
  readOnly?: boolean;
  onError?: (err: Error) => void;
}

export class UsageRecorder implements ProxyObserver {
  private readonly usage = new Map<string, Entry>();
  private readonly path: string;
  private retentionDays: number;
  private readonly now: () => number;
  private readonly readOnly: boolean;
  private readonly onError: (err: Error) => void;
  private readonly seenJobs = new Set<string>();
  /** Written at most once a second while requests come in; no timer at all while idle (batchedFlush.ts). */
  private readonly batch: BatchedFlush;

  constructor(options: UsageRecorderOptions) {
    this.path = join(options.dataDir, USAGE_FILE);
    this.retentionDays = options.retentionDays ?? 90;
    this.now = options.now ?? Date.now;
    this.readOnly = options.readOnly ?? false;
    this.onError = options.onError ?? (() => {});
    this.batch = new BatchedFlush(() => this.flush(), this.readOnly ? 0 : (options.flushIntervalMs ?? 1000));
    this.load();
    gauge('usage.keys', this, (u) => u.usage.size);
    gauge('usage.seenJobs', this, (u) => u.seenJobs.size);
  }

  /** ProxyObserver hook. Never throws, never does I/O. */
  onRequest(record: RequestRecord): void {
    if (!record.keyId) return; // the admin key has no usage record
    const u = this.entry(record.keyId);
    const failed = record.status >= 400;
    u.total_requests += 1;
    if (failed) u.failed_requests += 1;
    else u.successful_requests += 1;
    u.total_duration += Math.max(0, record.durationMs) / 1000;
    u.last_used = Math.max(u.last_used ?? 0, record.at / 1000);
    const day = this.day(u, utcDay(record.at));
    day.requests += 1;
    if (failed) day.failed_requests += 1;
    this.batch.mark();
  }

  /** Job-ledger hook: counts each finished job of an access key once, on the UTC day it finished. */
  onJobEvent(event: JobEvent): void {
    if (event.type !== 'finished' || event.job.owner.startsWith('@')) return; // admin and foreign jobs belong to no key
    if (this.seenJobs.has(event.job.promptId)) return;
    const contribution = jobContribution(event.job);
    if (!contribution) return;
    this.seenJobs.add(event.job.promptId);
    if (this.seenJobs.size > SEEN_JOBS) this.seenJobs.delete(this.seenJobs.values().next().value as string);
    const u = this.entry(event.job.owner);
    addDays(u.jobs, contribution.add);
    addDays(this.day(u, contribution.day), contribution.add);
    this.batch.mark();
  }

  /** Listens to a job ledger; returns the unsubscribe function. */
  attachLedger(ledger: Pick<JobLedgerApi, 'subscribe'>): () => void {
    return ledger.subscribe((event) => this.onJobEvent(event));
  }

  /** A copy of the key's request usage; `days` limits requests_per_day to the last N UTC days. */
  get(keyId: string, days?: number): KeyUsage {
    const u = this.usage.get(keyId);
    if (!u) return { total_requests: 0, successful_requests: 0, failed_requests: 0, total_duration: 0, last_used: null, requests_per_day: {} };
    const kept = this.recentDays(u.days, days ?? this.retentionDays);
    const perDay: Record<string, number> = {};
    for (const [date, d] of Object.entries(kept)) if (d.requests > 0) perDay[date] = d.requests;
    const { total_requests, successful_requests, failed_requests, total_duration, last_used } = u;
    return { total_requests, successful_requests, failed_requests, total_duration, last_used, requests_per_day: perDay };
  }

  /** A copy of the key's job and GPU usage; `days` limits the per-day records to the last N UTC days. */
  jobs(keyId: string, days?: number): KeyJobUsage {
    const u = this.usage.get(keyId);
    if (!u) return { totals: emptyDay(), days: {} };
    const totals = { ...u.jobs, requests: u.total_requests, failed_requests: u.failed_requests };
    return { totals, days: structuredClone(this.recentDays(u.days, days ?? this.retentionDays)) };
  }

  lastUsed(keyId: string): number | null {
    return this.usage.get(keyId)?.last_used ?? null;
  }

  /** The retention setting changed: applies at once (and to every later flush). */
  setRetentionDays(days: number): void {
    this.retentionDays = days;
    this.prune();
  }

  /** Drops days older than the retention period; returns how many key-days went. */
  prune(): number {
    let removed = 0;
    for (const u of this.usage.values()) {
      const kept = this.recentDays(u.days, this.retentionDays);
      removed += Object.keys(u.days).length - Object.keys(kept).length;
      u.days = kept;
    }
    if (removed > 0) this.batch.mark();
    this.flush();
    return removed;
  }

  flush(): void {
    if (this.readOnly || !this.batch.dirty) return;
    for (const u of this.usage.values()) u.days = this.recentDays(u.days, this.retentionDays);
    try {
      writeFileAtomicSync(this.path, JSON.stringify({ version: 2, keys: Object.fromEntries(this.usage) }));
      this.batch.clear();
    } catch (err) {
      this.onError(err as Error);
    }
  }

  close(): void {
    this.batch.close();
    this.flush();
  }

  private entry(keyId: string): Entry {
    let u = this.usage.get(keyId);
    if (!u) {
      u = { total_requests: 0, successful_requests: 0, failed_requests: 0, total_duration: 0, last_used: null, jobs: emptyDay(), days: {} };
      this.usage.set(keyId, u);
    }
    return u;
  }

  private day(u: Entry, date: string): UsageDay {
    return (u.days[date] ??= emptyDay());
  }

  private recentDays(days: Record<string, UsageDay>, n: number): Record<string, UsageDay> {
    const oldest = utcDay(this.now() - (n - 1) * DAY_MS);
    // ISO dates compare correctly as strings.
    return Object.fromEntries(Object.entries(days).filter(([date]) => date >= oldest));
  }

  private load(): void {
    let data: { keys?: Record<string, Record<string, unknown>> };
    try {
      data = JSON.parse(readFileSync(this.path, 'utf8')) as typeof data;
    } catch (err) {
      // Missing on first run. Unreadable statistics should not stop the proxy; report and start empty.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
      return;
    }
    for (const [id, raw] of Object.entries(data.keys ?? {})) {
      const u = this.entry(id);
      u.total_requests = num(raw.total_requests);
      u.successful_requests = num(raw.successful_requests);
      u.failed_requests = num(raw.failed_requests);
      u.total_duration = num(raw.total_duration);
      u.last_used = typeof raw.last_used === 'number' ? raw.last_used : null;
      u.jobs = readDay(raw.jobs);
      // Version 1 kept requests_per_day only; version 2 keeps `days`.
      const days = (raw.days ?? raw.requests_per_day ?? {}) as Record<string, unknown>;
      for (const [date, d] of Object.entries(days)) if (/^\d{4}-\d{2}-\d{2}$/.test(date)) u.days[date] = readDay(d);
    }
  }
}
