// Maps service records to the contract's view shapes: what the renderer may see (never a secret or hash).
import type { CloudStatus, KeyView, SettingsView } from '../../preload/contract';
import type { AccountStatus } from '../account/accountService';
import { resolveCloudBaseUrl } from '../cloud/cloudEnvironments';
import type { KeyRecord } from '../keys/keyRecord';
import type { RateDecision } from '../proxy/types';
import type { Settings } from '../settings/settingsSchema';

function metadataToStrings(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export function toKeyView(r: KeyRecord, used: RateDecision, nowMs: number): KeyView {
  const expired = r.expires_at !== null && nowMs >= r.expires_at * 1000;
  return {
    id: r.key_id,
    name: r.name,
    createdAt: Math.round(r.created_at * 1000),
    lastUsed: r.last_used === null ? null : Math.round(r.last_used * 1000),
    rateLimit: r.rate_limit,
    isActive: r.is_active,
    expiresAt: r.expires_at === null ? null : Math.round(r.expires_at * 1000),
    scopes: [...r.scopes],
    metadata: metadataToStrings(r.metadata),
    usageThisHour: Math.max(0, used.limit - used.remaining),
    status: !r.is_active ? 'disabled' : expired ? 'expired' : 'active',
  };
}

export function toSettingsView(s: Settings): SettingsView {
  return { upstreamUrl: s.upstreamUrl, listenPort: s.listenPort, allowedOrigins: [...s.allowedOrigins], theme: s.theme, startAtLogin: s.startAtLogin };
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
  };
}
