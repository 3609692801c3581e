// Maps service records to the contract's view shapes: what the renderer may see (never a secret or hash).
import type { CloudStatus, KeyStatus, KeyView, SettingsView } from '../../preload/contract';
import type { AccountStatus } from '../account/accountService';
import { resolveCloudBaseUrl } from '../cloud/cloudEnvironments';
import type { KeyRecord } from '../keys/keyRecord';
import type { RateDecision } from '../common/rateLimit';
import type { Settings } from '../settings/settingsSchema';

function metadataToStrings(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

const secondsToMs = (s: number | null | undefined): number | null => (s === null || s === undefined ? null : Math.round(s * 1000));

/** What the ledger knows of a key right now: jobs waiting or running, and today's paid-API-node jobs. */
export interface KeyJobCounts {
  queued?: number;
  cloudToday?: number;
}

export function toKeyView(r: KeyRecord, used: RateDecision, nowMs: number, counts: KeyJobCounts = {}): KeyView {
  // The store derives the status at read time; an expiry passing since then counts at once.
  const status: KeyStatus = r.status === 'active' && r.expires_at !== null && nowMs >= r.expires_at * 1000 ? 'expired' : r.status;
  return {
    id: r.key_id,
    name: r.name,
    prefix: r.prefix,
    createdAt: Math.round(r.created_at * 1000),
    lastUsed: secondsToMs(r.last_used),
    rateLimit: r.rate_limit,
    requestsPerMinute: r.requests_per_minute,
    maxQueued: r.max_queued,
    comfyUser: r.comfy_user,
    cloud: r.cloud,
    cloudJobsPerDay: r.cloud_jobs_per_day,
    cloudJobsToday: counts.cloudToday ?? 0,
    gpuSecondsPerDay: r.gpu_seconds_per_day,
    share: r.share,
    isActive: r.is_active,
    expiresAt: secondsToMs(r.expires_at),
    revokedAt: secondsToMs(r.revoked_at),
    scopes: [...r.scopes],
    metadata: metadataToStrings(r.metadata),
    jobsThisHour: Math.max(0, used.limit - used.remaining),
    queued: counts.queued ?? 0,
    status,
  };
}

export function toSettingsView(s: Settings): SettingsView {
  return {
    upstreams: [...s.upstreams],
    listenPort: s.listenPort,
    allowedOrigins: [...s.allowedOrigins],
    allowedHosts: [...s.allowedHosts],
    sharedInputFolders: [...s.sharedInputFolders],
    theme: s.theme,
    startAtLogin: s.startAtLogin,
    notifications: { ...s.notifications },
  };
}

function baseUrlOf(settings: Settings): string {
  try {
    return resolveCloudBaseUrl(settings.cloud.environment, settings.cloud.customBaseUrl);
  } catch {
    return settings.cloud.customBaseUrl ?? '';
  }
}

export function toCloudStatus(status: AccountStatus, settings: Settings): CloudStatus {
  const c = status.cloud;
  return {
    loggedIn: c.loggedIn,
    environment: c.environment,
    baseUrl: baseUrlOf(settings),
    keyHint: c.keyHint,
    account: c.account ? { id: c.account.id ?? null, name: c.account.name ?? null, email: c.account.email ?? null, plan: c.account.plan ?? null } : null,
    // ComfyUI's frontend treats amount_micros as cents; so do we.
    credits: c.credits ? { amount: c.credits.amountMicros, currency: c.credits.currency } : null,
    checkedAt: c.checkedAt ?? null,
  };
}
