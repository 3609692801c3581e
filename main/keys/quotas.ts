// The three per-key quotas (SPEC §2.4, §8.2): jobs per hour and API requests per minute (GCRA buckets
// in the shared rate limiter) and jobs queued at once (counted by the job ledger). The admin key has none.
import { rateLimitHeaders, type PolicyDecision } from '../http/rateLimitHeaders';
import type { Principal } from '../common/principal';
import type { RateDecision, RateLimiter } from '../common/rateLimit';

export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
/** A guess for Retry-After on the queue quota: jobs finish at no predictable time. */
const QUEUE_RETRY_S = 10;

export const jobsBucket = (keyId: string): string => `jobs:${keyId}`;
export const requestsBucket = (keyId: string): string => `requests:${keyId}`;

export interface QuotaRefusal {
  status: 429;
  code: 'rate_limited';
  message: string;
  headers: Record<string, string>;
}

function refusal(d: PolicyDecision, message: string): QuotaRefusal {
  return { status: 429, code: 'rate_limited', message, headers: rateLimitHeaders(d, d.policy) };
}

/** Counts one authenticated request; null when the principal has no quotas. */
export function takeRequest(limiter: RateLimiter, principal: Principal, nowMs: number): PolicyDecision | QuotaRefusal | null {
  if (!principal.quotas || principal.keyId === null) return null;
  const limit = principal.quotas.requestsPerMinute;
  const d: PolicyDecision = { ...limiter.take(requestsBucket(principal.keyId), limit, MINUTE_MS, nowMs), policy: 'requests' };
  if (d.allowed) return d;
  return refusal(d, `This access key reached its limit of ${limit} requests per minute; retry in ${d.retryAfterS} s.`);
}

/**
 * Admits one job: the queue quota first (it costs nothing to check), then the hourly jobs bucket.
 * `active` is the key's pending + running jobs (from the ledger, plus submissions still in flight).
 */
export function takeJob(limiter: RateLimiter, principal: Principal, active: number, nowMs: number): PolicyDecision[] | QuotaRefusal {
  if (!principal.quotas || principal.keyId === null) return [];
  const { maxQueued, jobsPerHour } = principal.quotas;
  const queue: PolicyDecision = {
    policy: 'queue',
    allowed: active < maxQueued,
    limit: maxQueued,
    remaining: Math.max(0, maxQueued - active - 1),
    windowS: 0,
    resetS: 0,
    retryAfterS: QUEUE_RETRY_S,
  };
  if (!queue.allowed) {
    return refusal(
      { ...queue, remaining: 0 },
      `This access key already has ${active} jobs queued or running (limit ${maxQueued}); wait for one to finish.`,
    );
  }
  const jobs: PolicyDecision = { ...limiter.take(jobsBucket(principal.keyId), jobsPerHour, HOUR_MS, nowMs), policy: 'jobs' };
  if (!jobs.allowed) {
    return refusal(jobs, `This access key reached its limit of ${jobsPerHour} jobs per hour; the next job is allowed in ${jobs.retryAfterS} s.`);
  }
  return [{ ...queue, retryAfterS: 0 }, jobs];
}

/** A job ComfyUI refused (invalid prompt, upstream error) does not count against the hour. */
export function refundJob(limiter: RateLimiter, principal: Principal): void {
  if (principal.quotas && principal.keyId !== null) limiter.refund(jobsBucket(principal.keyId), principal.quotas.jobsPerHour, HOUR_MS);
}

export function isQuotaRefusal(x: unknown): x is QuotaRefusal {
  return typeof x === 'object' && x !== null && (x as QuotaRefusal).status === 429;
}

export type { RateDecision };
