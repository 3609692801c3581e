// A key's GPU budget (SPEC §11): once its GPU seconds of the current UTC day (ComfyUI's run time of its
// finished jobs, from usage) reach `gpu_seconds_per_day`, new jobs get 429 policy `gpu` until 00:00 UTC.
// Reads stay free and a running job is never cut: the budget is checked only when a job is queued, so the
// last job of the day may run past it.
import { secondsToNextUtcDay } from '../../jobs/cloudJobs';
import { rateLimitHeaders, type PolicyDecision } from '../../http/rateLimitHeaders';
import type { QuotaRefusal } from '../../keys/quotas';
import type { Principal } from '../../common/principal';

/** The budget's decision for one new job: null without a budget, else allowed or a refusal. */
export function gpuBudget(principal: Principal, usedSeconds: number, nowMs: number): PolicyDecision | QuotaRefusal | null {
  const budget = principal.quotas?.gpuSecondsPerDay ?? null;
  if (budget === null) return null;
  const resetS = secondsToNextUtcDay(nowMs);
  const used = Math.round(usedSeconds);
  const d: PolicyDecision = {
    policy: 'gpu',
    allowed: usedSeconds < budget,
    limit: budget,
    remaining: Math.max(0, Math.floor(budget - usedSeconds)),
    windowS: 86_400,
    resetS,
    retryAfterS: usedSeconds < budget ? 0 : resetS,
  };
  if (d.allowed) return d;
  return {
    status: 429,
    code: 'rate_limited',
    message:
      `This access key used its GPU budget for today (UTC): ${used} of ${budget} GPU seconds. ` +
      `New jobs are allowed again in ${resetS} s (at 00:00 UTC); reading results and running jobs are not affected.`,
    headers: rateLimitHeaders(d, 'gpu'),
  };
}
