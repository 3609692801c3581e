// Who may spend the owner's Comfy account (SPEC §8.8). The app's cloud key goes only into jobs of principals
// allowed to use it (admin, or a key with `cloud: true`); a key without the permission that sends a job using
// paid API nodes is refused before anything reaches ComfyUI, unless the job carries its own comfy.org
// credential (then it is forwarded untouched: the key holder's own account pays). An allowed key's jobs with
// API nodes count against its `cloud_jobs_per_day`, per UTC day, from the ledger.
import { CompanionError } from '../../common/errors';
import { rateLimitHeaders, type PolicyDecision } from '../../http/rateLimitHeaders';
import type { QuotaRefusal } from '../../keys/quotas';
import { cloudJobsToday, secondsToNextUtcDay } from '../../jobs/cloudJobs';
import type { JobLedgerApi, JobOwner } from '../../jobs/types';
import type { Principal } from '../../common/principal';

export interface CloudUse {
  /** Add the app's cloud key to extra_data. */
  inject: boolean;
  /** A job that runs API nodes on the owner's account: recorded as a cloud job. */
  cloudJob: boolean;
}

/** A credential of the client's own in extra_data: ComfyUI's API nodes prefer auth_token_comfy_org over api_key_comfy_org. */
export function hasOwnCredential(extra: Record<string, unknown>): boolean {
  const set = (v: unknown) => typeof v === 'string' && v.trim() !== '';
  return set(extra.auth_token_comfy_org) || set(extra.api_key_comfy_org);
}

/**
 * Decides injection and counting for one job, or throws 403 `cloud_not_allowed`; a refusal object when the
 * daily cap is spent (answered 429 policy `cloud` like the other quotas).
 */
export function decideCloudUse(
  principal: Principal,
  owner: JobOwner,
  apiNodes: readonly string[],
  extra: Record<string, unknown>,
  ledger: Pick<JobLedgerApi, 'list'>,
  nowMs: number,
): CloudUse | QuotaRefusal {
  if (hasOwnCredential(extra)) return { inject: false, cloudJob: false };
  const usesApiNodes = apiNodes.length > 0;
  if (!principal.cloud.allowed) {
    if (!usesApiNodes) return { inject: false, cloudJob: false };
    const names = apiNodes.slice(0, 5).join(', ') + (apiNodes.length > 5 ? `, and ${apiNodes.length - 5} more` : '');
    throw new CompanionError(
      'cloud_not_allowed',
      `This workflow uses paid API nodes (${names}), which would spend the Comfy credits of this server's owner, and this access key may not. ` +
        'Sign in to your own Comfy account in ComfyUI (Settings → API key) to use yours, or ask the owner to allow it for this key.',
    );
  }
  const cap = principal.cloud.jobsPerDay;
  if (usesApiNodes && cap !== null && principal.keyId !== null) {
    const used = cloudJobsToday(ledger, owner, nowMs);
    const resetS = secondsToNextUtcDay(nowMs);
    if (used >= cap) {
      const d: PolicyDecision = { policy: 'cloud', allowed: false, limit: cap, remaining: 0, windowS: 86_400, resetS, retryAfterS: resetS };
      return {
        status: 429,
        code: 'rate_limited',
        message: `This access key used its ${cap} jobs with paid API nodes for today (UTC) on the owner's Comfy account; the next is allowed in ${resetS} s. Jobs without API nodes still run.`,
        headers: rateLimitHeaders(d, 'cloud'),
      };
    }
  }
  return { inject: true, cloudJob: usesApiNodes };
}
