// The handlers behind every IPC channel of preload/contract.ts, as plain Node (no electron): they
// validate each request with zod, call the real services, and map results to the contract's
// shapes. Electron's ipc.ts and the e2e test bridge both serve exactly this object.
import type {
  Channel,
  CloudStatus,
  ContractHandlers,
  IpcResult,
  KeyFields,
  KeyView,
  KeyUsageView,
  NewKeySecret,
  Res,
} from '../../preload/contract';
import { INVOKE_CHANNELS } from '../../preload/contract';
import { CompanionError, toCompanionError } from '../common/errors';
import type { KeyRecord } from '../keys/keyRecord';
import { HOUR_MS, jobsBucket } from '../keys/quotas';
import type { SettingsPatch as StoreSettingsPatch } from '../settings/settingsSchema';
import {
  checkSettingsFields,
  cloudLogin,
  id,
  keyCreate,
  keyUpdate,
  keyUsage,
  none,
  parse,
  RequestValidationError,
  settingsPatch,
} from './companionApiSchemas';
import { appStatusOf, homeHandlers } from './companionApiHome';
import { upstreamHandlers } from './companionApiUpstreams';
import { cloudJobsToday } from '../jobs/cloudJobs';
import { toCloudStatus, toKeyView, toSettingsView } from './companionApiViews';
import { accountabilityHandlers } from './accountabilityApi';

export { RequestValidationError };
export { PLATFORM_LOGIN_URL } from './companionApiHome';

import type { CompanionApiDeps, CompanionServices } from './companionApiDeps';

export type { AccountPort, CompanionApiDeps, CompanionServices, ProxyControl } from './companionApiDeps';

// ------------------------------------------------------------------ the handlers

type StorePatch = Parameters<CompanionServices['keys']['update']>[1];

/** The form's quota fields in the key store's names (absent stays absent). */
function storeFields(f: Partial<KeyFields>): StorePatch {
  const p: StorePatch = {};
  if (f.rateLimit !== undefined) p.rate_limit = f.rateLimit;
  if (f.requestsPerMinute !== undefined) p.requests_per_minute = f.requestsPerMinute;
  if (f.maxQueued !== undefined) p.max_queued = f.maxQueued;
  if (f.comfyUser !== undefined) p.comfy_user = f.comfyUser;
  if (f.cloud !== undefined) p.cloud = f.cloud;
  if (f.cloudJobsPerDay !== undefined) p.cloud_jobs_per_day = f.cloudJobsPerDay;
  if (f.gpuSecondsPerDay !== undefined) p.gpu_seconds_per_day = f.gpuSecondsPerDay;
  if (f.share !== undefined) p.share = f.share;
  if (f.scopes !== undefined) p.scopes = f.scopes;
  if (f.metadata !== undefined) p.metadata = f.metadata;
  return p;
}

export function createCompanionApi(deps: CompanionApiDeps): ContractHandlers {
  const now = deps.now ?? Date.now;

  const keyView = (r: KeyRecord): KeyView =>
    toKeyView(r, deps.limiter.peek(jobsBucket(r.key_id), r.rate_limit, HOUR_MS, now()), now(), {
      queued: deps.jobs?.activeCount(r.key_id) ?? 0,
      cloudToday: deps.jobs ? cloudJobsToday(deps.jobs, r.key_id, now()) : 0,
    });
  const mustGet = (keyId: string): KeyRecord => {
    const r = deps.keys.get(keyId);
    if (!r) throw new CompanionError('not_found', 'No access key has that id; it may have been deleted in the meantime.');
    return r;
  };
  const newSecret = (r: { record: KeyRecord; secret: string }): NewKeySecret => ({
    key: keyView(r.record),
    secret: r.secret,
    message: 'Save this key now - it will not be shown again.',
  });
  const cloudStatus = (): CloudStatus => toCloudStatus(deps.account.status(), deps.settings.get());

  return {
    ...homeHandlers(deps),
    ...upstreamHandlers(deps),
    'keys:list': async (req) => {
      parse(none, req);
      return deps.keys.list().map(keyView).sort((a, b) => b.createdAt - a.createdAt);
    },
    'keys:create': async (req) => {
      const r = parse(keyCreate, req);
      return newSecret(await deps.keys.create({ name: r.name, ...storeFields(r), expires_at: r.expiresAt == null ? null : r.expiresAt / 1000 }));
    },
    'keys:update': async (req) => {
      const { id: keyId, patch } = parse(keyUpdate, req);
      mustGet(keyId);
      const p: Parameters<CompanionServices['keys']['update']>[1] = storeFields(patch);
      if (patch.name !== undefined) p.name = patch.name;
      if (patch.isActive !== undefined) p.is_active = patch.isActive;
      if (patch.expiresAt !== undefined) p.expires_at = patch.expiresAt === null ? null : patch.expiresAt / 1000;
      if (Object.keys(p).length === 0) throw new RequestValidationError('Nothing to change: the edit named no field.', []);
      return keyView(await deps.keys.update(keyId, p));
    },
    'keys:rotate': async (req) => {
      const { id: keyId } = parse(id, req);
      mustGet(keyId);
      return newSecret(await deps.keys.rotate(keyId));
    },
    'keys:revoke': async (req) => {
      const { id: keyId } = parse(id, req);
      mustGet(keyId);
      await deps.keys.revoke(keyId);
      return { id: keyId };
    },
    'keys:usage': async (req): Promise<KeyUsageView> => {
      const { id: keyId, days } = parse(keyUsage, req);
      const rec = mustGet(keyId);
      const u = deps.usage.get(keyId, days ?? 14);
      const d = deps.limiter.peek(jobsBucket(keyId), rec.rate_limit, HOUR_MS, now());
      return {
        keyId,
        rateLimit: rec.rate_limit,
        windowS: d.windowS,
        requestsInWindow: Math.max(0, d.limit - d.remaining),
        remaining: d.remaining,
        resetAt: now() + d.resetS * 1000,
        lastUsed: u.last_used === null ? null : Math.round(u.last_used * 1000),
        totalRequests: u.total_requests,
        successfulRequests: u.successful_requests,
        failedRequests: u.failed_requests,
        averageDurationMs: u.total_requests > 0 ? Math.round((u.total_duration / u.total_requests) * 1000) : 0,
        perDay: Object.entries(u.requests_per_day)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([date, requests]) => ({ date, requests })),
      };
    },
    'cloud:login': async (req) => {
      const r = parse(cloudLogin, req);
      await deps.account.loginCloud(r, {
        onRetry: ({ attempt, delayMs }) => deps.emit({ type: 'cloud:retry', attempt, delayMs }),
      });
      return cloudStatus();
    },
    'cloud:logout': async (req) => {
      parse(none, req);
      await deps.account.logoutCloud();
      return cloudStatus();
    },
    'cloud:status': async (req) => (parse(none, req), cloudStatus()),
    'session:logoutBrowsers': async (req) => {
      parse(none, req);
      return { revoked: await deps.account.logoutBrowserSessions() };
    },
    'session:logoutEverything': async (req) => {
      parse(none, req);
      await deps.account.logoutEverything();
      return appStatusOf(deps);
    },
    'settings:get': async (req) => (parse(none, req), toSettingsView(deps.settings.get())),
    'settings:update': async (req) => {
      const patch = parse(settingsPatch, req) as Record<string, unknown>;
      checkSettingsFields(patch);
      return toSettingsView(deps.settings.update(patch as StoreSettingsPatch));
    },
    'monitor:snapshot': async (req) => (parse(none, req), deps.monitor.snapshot()),
    ...accountabilityHandlers(deps),
  };
}

// ------------------------------------------------------------------ dispatch and events

const CHANNEL_SET: ReadonlySet<string> = new Set(INVOKE_CHANNELS);

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && CHANNEL_SET.has(value);
}

/** Runs one handler and wraps the outcome for the bridge; never throws, never leaks internals. */
export async function invokeHandler<C extends Channel>(handlers: ContractHandlers, channel: C, req: unknown): Promise<IpcResult<Res<C>>> {
  try {
    if (!isChannel(channel)) throw new CompanionError('not_found', 'Unknown channel');
    const handler = handlers[channel] as (r: unknown) => Promise<Res<C>>;
    return { ok: true, value: await handler(req) };
  } catch (err) {
    const e = toCompanionError(err);
    const error: IpcResult<never> & { ok: false } = { ok: false, error: { code: e.code, message: e.message } };
    if (e.retryAfter !== undefined) error.error.retryAfter = e.retryAfter;
    if (e instanceof RequestValidationError && e.issues.length > 0) error.error.issues = e.issues;
    return error;
  }
}

/** Forwards service changes to the push channel; returns a function that stops forwarding. */
export function forwardServiceEvents(deps: CompanionApiDeps): () => void {
  const stops: (() => void)[] = [];
  stops.push(deps.monitor.subscribe((update) => deps.emit({ type: 'monitor', update })));
  stops.push(deps.keys.onChange((change) => deps.emit({ type: 'keys:changed', keyIds: change.keyId ? [change.keyId] : [] })));
  stops.push(deps.settings.onChange((s) => deps.emit({ type: 'settings:changed', settings: toSettingsView(s) })));
  const statusChanged = (): void => {
    try {
      deps.emit({ type: 'status', status: appStatusOf(deps) });
    } catch {
      // A status that cannot be built now is built again on the next change.
    }
  };
  stops.push(deps.account.subscribe(statusChanged));
  if (deps.proxy.onChange) stops.push(deps.proxy.onChange(statusChanged));
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
