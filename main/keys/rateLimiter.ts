// Per-key quotas with GCRA (generic cell rate algorithm): one "theoretical arrival
// time" per bucket, O(1) per event, no windows and so no 2x burst at a window boundary. State is
// persisted to <dataDir>/ratelimit.json in batches so limits survive a restart, and each event is also
// appended to ratelimit.journal (appendLog.ts) before its answer goes out, so a kill -9 forgives nothing
// that was counted (a power cut: at most the last interval).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RateDecision, RateLimiter } from '../common/rateLimit';
import { AppendLog } from '../common/appendLog';
import { writeFileAtomicSync } from '../common/atomicFile';
import { BatchedFlush } from '../common/batchedFlush';
import { gauge } from '../common/sizeGauges';

export const RATE_LIMIT_FILE = 'ratelimit.json';
export const RATE_LIMIT_JOURNAL = 'ratelimit.journal';
// Float slack so that exactly-on-time requests are not refused by rounding.
const EPSILON_MS = 1e-6;

export interface KeyRateLimiterOptions {
  /** Persist state here; omit for an in-memory limiter. */
  dataDir?: string;
  /** Batch flush interval, ms (default 1000). 0 disables the timer (flush manually). */
  flushIntervalMs?: number;
  /** Clock for pruning at flush time (epoch ms). */
  now?: () => number;
  onError?: (err: Error) => void;
}

/**
 * GCRA with emission interval T = window / limit and a burst tolerance of (limit - 1) * T: a fresh
 * bucket may use its whole quota at once, after which it refills continuously at `limit` per window
 * (one event every T). A full refill always takes exactly one window. Buckets are named by the caller
 * (`jobs:<keyId>`, `requests:<keyId>`), so one limiter serves every quota.
 */
export class KeyRateLimiter implements RateLimiter {
  /** bucket -> theoretical arrival time (epoch ms): when the bucket's quota is fully restored. */
  private readonly tat = new Map<string, number>();
  private readonly path: string | null;
  private readonly now: () => number;
  private readonly onError: (err: Error) => void;
  /** Written at most once a second while buckets change; no timer at all while idle. */
  private readonly batch: BatchedFlush;
  /** Each change as a line `["bucket",tat]`, between two snapshots. */
  private readonly journal: AppendLog | null;

  constructor(options: KeyRateLimiterOptions = {}) {
    this.path = options.dataDir ? join(options.dataDir, RATE_LIMIT_FILE) : null;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
    this.batch = new BatchedFlush(() => this.flush(), this.path ? (options.flushIntervalMs ?? 1000) : 0);
    this.journal = options.dataDir ? new AppendLog(join(options.dataDir, RATE_LIMIT_JOURNAL), this.onError) : null;
    this.load();
    gauge('rateLimit.buckets', this, (l) => l.tat.size);
  }

  take(bucket: string, limitPerWindow: number, windowMs: number, nowMs: number): RateDecision {
    const limit = Math.max(1, Math.floor(limitPerWindow));
    const t = windowMs / limit;
    const start = Math.max(this.tat.get(bucket) ?? nowMs, nowMs);
    const waitMs = start - nowMs - (windowMs - t);
    if (waitMs > EPSILON_MS) return decision(false, limit, windowMs, start - nowMs, waitMs);
    this.set(bucket, start + t);
    return decision(true, limit, windowMs, start + t - nowMs, 0);
  }

  refund(bucket: string, limitPerWindow: number, windowMs: number): void {
    const at = this.tat.get(bucket);
    if (at === undefined) return;
    this.set(bucket, at - windowMs / Math.max(1, Math.floor(limitPerWindow)));
  }

  /** The bucket's current state without counting an event (for /api/usage and the app). */
  peek(bucket: string, limitPerWindow: number, windowMs: number, nowMs: number): RateDecision {
    const limit = Math.max(1, Math.floor(limitPerWindow));
    const t = windowMs / limit;
    const backlog = Math.max((this.tat.get(bucket) ?? nowMs) - nowMs, 0);
    const waitMs = backlog - (windowMs - t);
    return decision(waitMs <= EPSILON_MS, limit, windowMs, backlog, Math.max(waitMs, 0));
  }

  /** Writes the state if it changed since the last flush. Synchronous and cheap (one small file). */
  flush(): void {
    if (!this.path || !this.batch.dirty) return;
    const nowMs = this.now();
    const tat: Record<string, number> = {};
    for (const [id, at] of this.tat) {
      if (at > nowMs) tat[id] = at;
      else this.tat.delete(id); // fully restored: nothing worth remembering
    }
    try {
      const next = (this.journal?.generation ?? 0) + 1;
      writeFileAtomicSync(this.path, JSON.stringify({ version: 2, journal: next, tat }));
      this.journal?.restart(next);
      this.batch.clear();
    } catch (err) {
      this.onError(err as Error);
    }
  }

  close(): void {
    this.batch.close();
    this.flush();
    this.journal?.close();
  }

  private set(bucket: string, at: number): void {
    this.tat.set(bucket, at);
    this.journal?.append(JSON.stringify([bucket, at]));
    this.batch.mark();
  }

  private load(): void {
    if (!this.path || !this.journal) return;
    let generation = 0;
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as { version?: unknown; journal?: unknown; tat?: Record<string, unknown> };
      // Version 1 counted every request against the hourly limit; those buckets mean nothing now.
      if (data.version === 2) {
        for (const [id, at] of Object.entries(data.tat ?? {})) if (typeof at === 'number' && Number.isFinite(at)) this.tat.set(id, at);
        if (typeof data.journal === 'number' && Number.isSafeInteger(data.journal)) generation = data.journal;
      }
    } catch (err) {
      // Missing is normal on first run. Unreadable hot data is not worth refusing to start for:
      // the worst case is that each key gets a fresh quota once.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
    }
    // Later lines win: they are the bucket's state after each event, in order.
    for (const line of this.journal.open(generation)) {
      try {
        const [bucket, at] = JSON.parse(line) as unknown[];
        if (typeof bucket === 'string' && typeof at === 'number' && Number.isFinite(at)) this.tat.set(bucket, at);
      } catch {
        // a line cut short by a crash mid-write
      }
    }
  }
}

/** `backlogMs`: how far the bucket's arrival time is ahead of now (used quota, in time). */
function decision(allowed: boolean, limit: number, windowMs: number, backlogMs: number, waitMs: number): RateDecision {
  const t = windowMs / limit;
  const remaining = Math.max(0, Math.min(limit, Math.floor((windowMs - backlogMs + EPSILON_MS) / t)));
  return {
    allowed,
    limit,
    remaining,
    windowS: windowMs / 1000,
    resetS: Math.ceil(Math.max(backlogMs - EPSILON_MS, 0) / 1000),
    retryAfterS: allowed ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
  };
}

// One implementation of the IETF draft headers (RateLimit-Policy / RateLimit / Retry-After) for the
// whole app: the proxy core's, re-exported here so key code and callers need not know where it lives.
export { rateLimitHeaders } from '../http/rateLimitHeaders';
