// Per-key usage statistics fed by the proxy's observer hook: totals, success/failure, durations,
// requests per UTC day (last 90 days kept) and last_used. Held in memory, written to
// <dataDir>/usage.json in batches (never per request), loaded again at start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProxyObserver, RequestRecord } from '../proxy/types';
import { writeFileAtomicSync } from '../atomicFile';
import { BatchedFlush } from '../batchedFlush';

export const USAGE_FILE = 'usage.json';
const DAY_MS = 86_400_000;

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

export interface UsageRecorderOptions {
  dataDir: string;
  /** Batch flush interval, ms (default 1000). 0 disables the timer (flush manually). */
  flushIntervalMs?: number;
  /** Days of per-day counts kept (default 90). */
  retentionDays?: number;
  now?: () => number;
  /** A reader (the CLI) loads the file but never writes it; only the server writes usage. */
  readOnly?: boolean;
  onError?: (err: Error) => void;
}

export class UsageRecorder implements ProxyObserver {
  private readonly usage = new Map<string, KeyUsage>();
  private readonly path: string;
  private readonly retentionDays: number;
  private readonly now: () => number;
  private readonly readOnly: boolean;
  private readonly onError: (err: Error) => void;
  /** Written at most once a second while requests come in; no timer at all while idle. */
  private readonly batch: BatchedFlush;
  private get dirty(): boolean {
    return this.batch.dirty;
  }
  private set dirty(value: boolean) {
    if (value) this.batch.mark();
    else this.batch.clear();
  }

  constructor(options: UsageRecorderOptions) {
    this.path = join(options.dataDir, USAGE_FILE);
    this.retentionDays = options.retentionDays ?? 90;
    this.now = options.now ?? Date.now;
    this.readOnly = options.readOnly ?? false;
    this.onError = options.onError ?? (() => {});
    this.batch = new BatchedFlush(() => this.flush(), this.readOnly ? 0 : (options.flushIntervalMs ?? 1000));
    this.load();
  }

  /** ProxyObserver hook. Never throws, never does I/O. */
  onRequest(record: RequestRecord): void {
    if (!record.keyId) return; // the admin key has no usage record
    let u = this.usage.get(record.keyId);
    if (!u) {
      u = emptyUsage();
      this.usage.set(record.keyId, u);
    }
    u.total_requests += 1;
    if (record.status < 400) u.successful_requests += 1;
    else u.failed_requests += 1;
    u.total_duration += Math.max(0, record.durationMs) / 1000;
    u.last_used = Math.max(u.last_used ?? 0, record.at / 1000);
    const day = utcDay(record.at);
    u.requests_per_day[day] = (u.requests_per_day[day] ?? 0) + 1;
    this.dirty = true;
  }

  /** A copy of the key's usage; `days` limits requests_per_day to the last N UTC days. */
  get(keyId: string, days?: number): KeyUsage {
    const u = this.usage.get(keyId) ?? emptyUsage();
    const perDay = days === undefined ? u.requests_per_day : this.recentDays(u.requests_per_day, days);
    return { ...u, requests_per_day: { ...perDay } };
  }

  lastUsed(keyId: string): number | null {
    return this.usage.get(keyId)?.last_used ?? null;
  }

  flush(): void {
    if (this.readOnly || !this.dirty) return;
    for (const u of this.usage.values()) u.requests_per_day = this.recentDays(u.requests_per_day, this.retentionDays);
    try {
      writeFileAtomicSync(this.path, JSON.stringify({ version: 1, keys: Object.fromEntries(this.usage) }));
      this.dirty = false;
    } catch (err) {
      this.onError(err as Error);
    }
  }

  close(): void {
    this.batch.close();
    this.flush();
  }

  private recentDays(perDay: Record<string, number>, days: number): Record<string, number> {
    const oldest = utcDay(this.now() - (days - 1) * DAY_MS);
    // ISO dates compare correctly as strings.
    return Object.fromEntries(Object.entries(perDay).filter(([day]) => day >= oldest));
  }

  private load(): void {
    let data: { keys?: Record<string, Partial<KeyUsage>> };
    try {
      data = JSON.parse(readFileSync(this.path, 'utf8')) as typeof data;
    } catch (err) {
      // Missing on first run. Unreadable statistics should not stop the proxy; report and start empty.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
      return;
    }
    for (const [id, raw] of Object.entries(data.keys ?? {})) {
      const u = emptyUsage();
      u.total_requests = num(raw.total_requests);
      u.successful_requests = num(raw.successful_requests);
      u.failed_requests = num(raw.failed_requests);
      u.total_duration = num(raw.total_duration);
      u.last_used = typeof raw.last_used === 'number' ? raw.last_used : null;
      for (const [day, n] of Object.entries(raw.requests_per_day ?? {})) if (/^\d{4}-\d{2}-\d{2}$/.test(day)) u.requests_per_day[day] = num(n);
      this.usage.set(id, u);
    }
  }
}

function emptyUsage(): KeyUsage {
  return { total_requests: 0, successful_requests: 0, failed_requests: 0, total_duration: 0, last_used: null, requests_per_day: {} };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

/** The last day computed, so a request costs a comparison instead of a Date and an ISO string. */
let lastDay = { from: 0, to: 0, day: '' };

function utcDay(ms: number): string {
  if (ms >= lastDay.from && ms < lastDay.to) return lastDay.day;
  const from = Math.floor(ms / DAY_MS) * DAY_MS;
  lastDay = { from, to: from + DAY_MS, day: new Date(ms).toISOString().slice(0, 10) };
  return lastDay.day;
}
