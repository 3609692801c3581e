// The handlers behind every IPC channel of preload/contract.ts, as plain Node (no electron): they
// validate each request with zod, call the real services, and map results to the contract's
// shapes. Electron's ipc.ts and the e2e test bridge both serve exactly this object.
import type {
  AppStatus,
  Channel,
  CloudStatus,
  CompanionEvent,
  ContractHandlers,
  ExternalTarget,
  IpcResult,
  KeyView,
  KeyUsageView,
  NewKeySecret,
  ProxyStatus,
  Res,
  UpstreamProbe,
} from '../../preload/contract';
import { INVOKE_CHANNELS } from '../../preload/contract';
import { CompanionError, toCompanionError } from '../errors';
import type { AccountService } from '../account/accountService';
import type { KeyRecord } from '../keys/keyRecord';
import type { KeyStore } from '../keys/keyStore';
import type { KeyRateLimiter } from '../keys/rateLimiter';
import { HOUR_MS, jobsBucket } from '../proxy/quotas';
import type { UsageRecorder } from '../keys/usageRecorder';
import type { MonitorSnapshot, MonitorUpdate } from '../monitor/types';
import type { Settings, SettingsPatch as StoreSettingsPatch } from '../settings/settingsSchema';
import {
  checkSettingsFields,
  cloudLogin,
  id,
  keyCreate,
  keyUpdate,
  keyUsage,
  none,
  openExternal,
  parse,
  RequestValidationError,
  settingsPatch,
  upstreamLogin,
} from './companionApiSchemas';
import { toCloudStatus, toKeyView, toSettingsView } from './companionApiViews';
import { accountabilityHandlers, type AccountabilityDeps } from './accountabilityApi';

export { RequestValidationError };
// ------------------------------------------------------------------ what the handlers call

/** The account service as these handlers use it (main/account/accountService.ts). */
export type AccountPort = Pick<
  AccountService,
  'loginUpstream' | 'loginCloud' | 'logoutCloud' | 'logoutBrowserSessions' | 'logoutEverything' | 'status' | 'subscribe'
>;

export interface ProxyControl {
  status(): ProxyStatus;
  pause(): Promise<void>;
  resume(): Promise<void>;
  onChange?(listener: () => void): () => void;
}

/** The real services; every member is what the handlers call and nothing more. */
export interface CompanionServices {
  keys: Pick<KeyStore, 'list' | 'get' | 'create' | 'update' | 'revoke' | 'rotate' | 'onChange'>;
  usage: Pick<UsageRecorder, 'get'>;
  limiter: Pick<KeyRateLimiter, 'peek'>;
  settings: {
    get(): Settings;
    update(patch: StoreSettingsPatch): Settings;
    onChange(listener: (s: Settings) => void): () => void;
  };
  account: AccountPort;
  monitor: {
    snapshot(): MonitorSnapshot;
    subscribe(listener: (u: MonitorUpdate) => void): () => void;
  };
  proxy: ProxyControl;
  /** Opens a URL in the system browser (Electron shell.openExternal, or a test recorder). */
  openExternal(url: string): Promise<void>;
}

export interface CompanionApiDeps extends CompanionServices, Omit<AccountabilityDeps, 'keys'> {
  /** Where pushed events go (cloud retry progress); the same sink forwardServiceEvents uses. */
  emit(event: CompanionEvent): void;
  now?: () => number;
  /** Overrides for the allow-listed external pages (tests). */
  externalUrls?: Partial<Record<ExternalTarget, string>>;
}

export const PLATFORM_LOGIN_URL = 'https://platform.comfy.org/login';

// ------------------------------------------------------------------ the handlers

export function createCompanionApi(deps: CompanionApiDeps): ContractHandlers {
  const now = deps.now ?? Date.now;

  const keyView = (r: KeyRecord): KeyView => toKeyView(r, deps.limiter.peek(jobsBucket(r.key_id), r.rate_limit, HOUR_MS, now()), now());
  const mustGet = (keyId: string): KeyRecord => {
    const r = deps.keys.get(keyId);
    if (!r) throw new CompanionError('not_found', 'No key with that id');
    return r;
  };
  const newSecret = (r: { record: KeyRecord; secret: string }): NewKeySecret => ({
    key: keyView(r.record),
    secret: r.secret,
    message: 'Save this key now - it will not be shown again.',
  });
  const cloudStatus = (): CloudStatus => toCloudStatus(deps.account.status(), deps.settings.get());
  const appStatus = async (): Promise<AppStatus> => {
    const settings = deps.settings.get();
    const account = deps.account.status();
    const health = deps.monitor.snapshot().health;
    return {
      proxy: deps.proxy.status(),
      upstream: {
        url: account.upstream.url,
        keyHint: account.upstream.keyHint,
        keyRemembered: account.upstream.keyRemembered,
        reachable: health ? health.up : null,
        latencyMs: health?.latencyMs ?? null,
      },
      cloud: toCloudStatus(account, settings),
      secretBackend: account.secretBackend,
      warnings: account.warnings,
    };
  };
  const externalUrl = (target: ExternalTarget): string => {
    const override = deps.externalUrls?.[target];
    if (override) return override;
    if (target === 'platform-login') return PLATFORM_LOGIN_URL;
    const url = deps.proxy.status().url;
    if (!url) throw new CompanionError('unavailable', 'The proxy is not running');
    return url;
  };

  return {
    'status:get': async (req) => (parse(none, req), appStatus()),
    'keys:list': async (req) => {
      parse(none, req);
      return deps.keys.list().map(keyView).sort((a, b) => b.createdAt - a.createdAt);
    },
    'keys:create': async (req) => {
      const r = parse(keyCreate, req);
      return newSecret(
        await deps.keys.create({
          name: r.name,
          rate_limit: r.rateLimit,
          expires_at: r.expiresAt == null ? null : r.expiresAt / 1000,
          scopes: r.scopes,
          metadata: r.metadata,
        }),
      );
    },
    'keys:update': async (req) => {
      const { id: keyId, patch } = parse(keyUpdate, req);
      mustGet(keyId);
      const p: Parameters<CompanionServices['keys']['update']>[1] = {};
      if (patch.name !== undefined) p.name = patch.name;
      if (patch.rateLimit !== undefined) p.rate_limit = patch.rateLimit;
      if (patch.isActive !== undefined) p.is_active = patch.isActive;
      if (patch.expiresAt !== undefined) p.expires_at = patch.expiresAt === null ? null : patch.expiresAt / 1000;
      if (patch.scopes !== undefined) p.scopes = patch.scopes;
      if (patch.metadata !== undefined) p.metadata = patch.metadata;
      if (Object.keys(p).length === 0) throw new RequestValidationError('Nothing to change', []);
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
    'upstream:login': async (req): Promise<UpstreamProbe> => {
      const r = parse(upstreamLogin, req);
      const p = await deps.account.loginUpstream({ url: r.url, key: r.key && r.key.length > 0 ? r.key : null, remember: r.remember });
      return {
        reachable: p.reachable,
        keyAccepted: p.keyAccepted,
        comfyuiVersion: p.comfyuiVersion ?? null,
        device: p.device ?? null,
        latencyMs: p.latencyMs ?? null,
        message: p.message,
        saved: p.saved,
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
      return appStatus();
    },
    'settings:get': async (req) => (parse(none, req), toSettingsView(deps.settings.get())),
    'settings:update': async (req) => {
      const patch = parse(settingsPatch, req) as Record<string, unknown>;
      checkSettingsFields(patch);
      return toSettingsView(deps.settings.update(patch as StoreSettingsPatch));
    },
    'monitor:snapshot': async (req) => (parse(none, req), deps.monitor.snapshot()),
    'shell:openExternal': async (req) => {
      const { target } = parse(openExternal, req);
      await deps.openExternal(externalUrl(target));
      return null;
    },
    'proxy:pause': async (req) => {
      parse(none, req);
      await deps.proxy.pause();
      return deps.proxy.status();
    },
    'proxy:resume': async (req) => {
      parse(none, req);
      await deps.proxy.resume();
      return deps.proxy.status();
    },
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
    void createCompanionApi(deps)['status:get'](undefined).then(
      (status) => deps.emit({ type: 'status', status }),
      () => undefined,
    );
  };
  stops.push(deps.account.subscribe(statusChanged));
  if (deps.proxy.onChange) stops.push(deps.proxy.onChange(statusChanged));
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
