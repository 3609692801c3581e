// Rate-limit response headers: the IETF draft fields (draft-ietf-httpapi-ratelimit-headers,
// structured-field form) naming the policy (`jobs`, `requests`, `queue`, `in_flight`, `cloud`, `gpu`), plus
// Retry-After when a request is refused.
import type { RateDecision } from '../common/rateLimit';

export type QuotaPolicy = 'jobs' | 'requests' | 'queue' | 'in_flight' | 'cloud' | 'gpu';

export interface PolicyDecision extends RateDecision {
  policy: QuotaPolicy;
}

export function rateLimitHeaders(d: RateDecision, policy: QuotaPolicy | 'default' = 'default'): Record<string, string> {
  // A concurrency quota (queue, in_flight) has no time window: `w` is left out.
  const window = d.windowS > 0 ? `;w=${d.windowS}` : '';
  const headers: Record<string, string> = {
    'ratelimit-policy': `"${policy}";q=${d.limit}${window}`,
    ratelimit: `"${policy}";r=${Math.max(0, d.remaining)};t=${Math.max(0, Math.ceil(d.resetS))}`,
  };
  if (!d.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(d.retryAfterS)));
  return headers;
}

/** Of several allowed decisions, the one closest to its limit (the one a client should watch). */
export function closestToLimit(decisions: readonly PolicyDecision[]): PolicyDecision | null {
  let best: PolicyDecision | null = null;
  for (const d of decisions) if (!best || d.remaining / d.limit < best.remaining / best.limit) best = d;
  return best;
}
