// Backoff for Comfy Cloud calls: exponential with full jitter, Retry-After honoured (seconds or
// HTTP date), bounded in tries and in total time. Pure functions, so the numbers are testable.

export interface RetryPolicy {
  /** Total tries including the first. */
  maxAttempts: number;
  /** No retry is scheduled that would end later than this after the first try began. */
  maxTotalMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, maxTotalMs: 30_000, baseDelayMs: 500, maxDelayMs: 10_000 };

/** Statuses worth retrying: rate limited and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** Retry-After as milliseconds from `nowMs`, or undefined when absent or unparseable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before try number `attempt + 1` (attempt counts from 1): full jitter over
 * base·2^(attempt-1), capped; never shorter than the server's Retry-After.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
