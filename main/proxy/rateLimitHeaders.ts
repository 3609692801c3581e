// Rate-limit response headers: the IETF draft fields (draft-ietf-httpapi-ratelimit-headers,
// structured-field form) plus Retry-After when a request is refused.
import type { RateDecision } from './types';

export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-policy': `"default";q=${d.limit};w=${d.windowS}`,
    ratelimit: `"default";r=${Math.max(0, d.remaining)};t=${Math.max(0, Math.ceil(d.resetS))}`,
  };
  if (!d.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(d.retryAfterS)));
  return headers;
}
