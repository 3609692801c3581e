// Turns a stored key into the proxy's Principal, or says why it cannot act (revoked, disabled,
// expired): one place for both the key header path and the login session path.
import type { AuthOutcome, CredentialSource } from '../common/principal';
import type { StoredKey } from './keyRecord';

type KeyFields = Pick<
  StoredKey,
  'key_id' | 'name' | 'scopes' | 'rate_limit' | 'requests_per_minute' | 'max_queued' | 'comfy_user' | 'cloud' | 'cloud_jobs_per_day' | 'gpu_seconds_per_day' | 'share' | 'is_active' | 'revoked_at' | 'expires_at'
>;

/** `subject` starts the refusal message ("This access key", "The key this login used"). */
export function principalForKey(key: KeyFields, via: CredentialSource, nowMs: number, subject: string, hint = ''): AuthOutcome {
  if (key.revoked_at !== null) return { ok: false, reason: 'revoked', message: `${subject} has been revoked${hint}` };
  if (!key.is_active) return { ok: false, reason: 'revoked', message: `${subject} has been disabled${hint}` };
  if (key.expires_at !== null && nowMs >= key.expires_at * 1000) {
    return { ok: false, reason: 'expired', message: `${subject} expired at ${new Date(key.expires_at * 1000).toISOString()}${hint}` };
  }
  return {
    ok: true,
    principal: {
      kind: 'access_key',
      keyId: key.key_id,
      keyName: key.name,
      scopes: key.scopes,
      quotas: { jobsPerHour: key.rate_limit, requestsPerMinute: key.requests_per_minute, maxQueued: key.max_queued, gpuSecondsPerDay: key.gpu_seconds_per_day },
      comfyUser: key.comfy_user,
      cloud: { allowed: key.cloud, jobsPerDay: key.cloud_jobs_per_day },
      share: key.share,
      via,
    },
  };
}
