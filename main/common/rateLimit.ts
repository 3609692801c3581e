// The rate limiter's contract: one decision per counted event (keys/rateLimiter.ts implements it with GCRA;
// the quota steps and http/rateLimitHeaders.ts read its decisions).

export interface RateDecision {
  allowed: boolean;
  /** Requests allowed per window. */
  limit: number;
  remaining: number;
  /** Window length in seconds (3600 for per-hour limits). */
  windowS: number;
  /** Seconds until the quota is fully restored. */
  resetS: number;
  /** Seconds until one more request would be allowed (0 when allowed). */
  retryAfterS: number;
}

export interface RateLimiter {
  /** Counts one event for the key if allowed: `limit` per `windowMs` (GCRA). O(1). */
  take(bucket: string, limit: number, windowMs: number, nowMs: number): RateDecision;
  /** Gives one event back (a job ComfyUI refused does not count against the hour). */
  refund(bucket: string, limit: number, windowMs: number): void;
}
