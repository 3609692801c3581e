// The one typed IPC contract between main, preload and renderer: channel names, request and
// response shapes, the pushed event union, and the shape of `window.companion`.
//
// SECRETS RULE: no channel ever returns a secret, with exactly two exceptions — the responses of
// `keys:create` and `keys:rotate` carry the NEW access key secret (`NewKeySecret.secret`) once, so
// the user can copy it. Upstream, cloud and admin keys only ever cross as masked hints (`…Hint`).
//
// The renderer imports only types and `INVOKE_CHANNELS`/`EVENT_CHANNEL` from here; this file has
// no runtime dependencies so it can be bundled anywhere.
import type { ErrorCode } from '../main/common/errors';
import type { Scope } from '../main/common/principal';
import type { MonitorSnapshot, MonitorUpdate } from '../main/monitor/types';
import type { SecretBackendInfo } from '../main/secrets/secretStore';
import type { AppStatus, CloudLoginRequest, CloudStatus, KeyCreateRequest, KeyPatch, KeyUsageView, KeyView, NewKeySecret, ProxyStatus, SettingsPatch, SettingsView, UpstreamAddRequest, UpstreamCheck, UpstreamKeyRequest, UpstreamKeyResult, UpstreamProbe } from './contractShapes';
import { ACCOUNTABILITY_CHANNELS, type AccountabilityContractMap } from './accountabilityContract';
export type * from './accountabilityContract';

export type { ErrorCode, Scope, MonitorSnapshot, MonitorUpdate, SecretBackendInfo };
export type {
  HealthSample,
  JobStatus,
  JobView,
  KeyJobStats,
  KeyTraffic,
  RequestView,
  StatusClass,
  TrafficPoint,
  TrafficStats,
  UpstreamView,
  WaitingJobView,
} from '../main/monitor/types';

// ---------------------------------------------------------------- data shapes

export type {
  KeyStatus,
  KeyView,
  NewKeySecret,
  KeyFields,
  KeyCreateRequest,
  KeyPatch,
  KeyUsageDay,
  KeyUsageView,
  UpstreamCheck,
  UpstreamProbe,
  UpstreamAddRequest,
  UpstreamKeyRequest,
  UpstreamKeyResult,
  CloudEnvironment,
  CloudLoginRequest,
  CloudAccountView,
  CreditsView,
  CloudStatus,
  ThemeSetting,
  NotificationSettings,
  SettingsView,
  SettingsPatch,
  ProxyProblem,
  ProxyStatus,
  UpstreamStatus,
  SetupStatus,
  AppNotice,
  AppStatus,
} from './contractShapes';

/** External pages the renderer may ask to open, by id; main maps ids to URLs (an allow-list). */
export const EXTERNAL_TARGETS = ['platform-login', 'platform-profile', 'credits-help', 'proxy-ui'] as const;
export type ExternalTarget = (typeof EXTERNAL_TARGETS)[number];

// ---------------------------------------------------------------- channels

/** Every invoke channel. A channel added here but not in ContractMap (or vice versa) fails tsc. */
export const INVOKE_CHANNELS = [
  'status:get',
  'keys:list',
  'keys:create',
  'keys:update',
  'keys:rotate',
  'keys:revoke',
  'keys:usage',
  'upstream:saveKey',
  'upstreams:check',
  'upstreams:add',
  'upstreams:remove',
  'upstreams:makePrimary',
  'cloud:login',
  'cloud:logout',
  'cloud:status',
  'session:logoutBrowsers',
  'session:logoutEverything',
  'settings:get',
  'settings:update',
  'monitor:snapshot',
  'shell:openExternal',
  'proxy:pause',
  'proxy:resume',
  'cloud:refresh',
  'setup:dismiss',
  'notice:dismiss',
  'app:quit',
  ...ACCOUNTABILITY_CHANNELS,
] as const;

export type Channel = (typeof INVOKE_CHANNELS)[number];

/** Request (`req`) and response (`res`) per channel. `undefined` requests take no argument. */
export interface ContractMap extends AccountabilityContractMap {
  'status:get': { req: undefined; res: AppStatus };
  'keys:list': { req: undefined; res: KeyView[] };
  /** Returns the new secret once (see SECRETS RULE). */
  'keys:create': { req: KeyCreateRequest; res: NewKeySecret };
  'keys:update': { req: { id: string; patch: KeyPatch }; res: KeyView };
  /** Returns the new secret once (see SECRETS RULE); the old one stops working. */
  'keys:rotate': { req: { id: string }; res: NewKeySecret };
  /** Revokes for good: the next request with the key is 401; it cannot be enabled or rotated again. */
  'keys:revoke': { req: { id: string }; res: { id: string } };
  'keys:usage': { req: { id: string; days?: number }; res: KeyUsageView };
  /** Checks the ComfyUI key with every server; keeps it unless one refuses it. */
  'upstream:saveKey': { req: UpstreamKeyRequest; res: UpstreamKeyResult };
  /** Asks every server with the current key; saves nothing. */
  'upstreams:check': { req: undefined; res: UpstreamCheck[] };
  /** Adds a server (or changes one's address) after checking it; restarts the proxy in front of the list. */
  'upstreams:add': { req: UpstreamAddRequest; res: UpstreamProbe };
  /** Removes a server (never the last one). */
  'upstreams:remove': { req: { url: string }; res: AppStatus };
  /** Moves a server to the front of the list. */
  'upstreams:makePrimary': { req: { url: string }; res: AppStatus };
  'cloud:login': { req: CloudLoginRequest; res: CloudStatus };
  'cloud:logout': { req: undefined; res: CloudStatus };
  'cloud:status': { req: undefined; res: CloudStatus };
  'session:logoutBrowsers': { req: undefined; res: { revoked: number } };
  'session:logoutEverything': { req: undefined; res: AppStatus };
  'settings:get': { req: undefined; res: SettingsView };
  'settings:update': { req: SettingsPatch; res: SettingsView };
  'monitor:snapshot': { req: undefined; res: MonitorSnapshot };
  'shell:openExternal': { req: { target: ExternalTarget }; res: null };
  'proxy:pause': { req: undefined; res: ProxyStatus };
  /** Starts listening again (after a pause, or to retry after an error such as a port in use). */
  'proxy:resume': { req: undefined; res: ProxyStatus };
  /** Re-reads the account and credits from Comfy Cloud. */
  'cloud:refresh': { req: undefined; res: CloudStatus };
  /** Hides the first-run checklist for good. */
  'setup:dismiss': { req: undefined; res: AppStatus };
  'notice:dismiss': { req: { id: string }; res: AppStatus };
  /** Quits the app (the tray's Quit). */
  'app:quit': { req: undefined; res: null };
}

export type Req<C extends Channel> = ContractMap[C]['req'];
export type Res<C extends Channel> = ContractMap[C]['res'];
/** Argument tuple for invoke: none for `undefined` requests. */
export type ReqArgs<C extends Channel> = Req<C> extends undefined ? [] : [req: Req<C>];

/** What main implements: exactly one handler per channel (checked in test/unit/contract.types.test.ts). */
export type ContractHandlers = { [C in Channel]: (req: Req<C>) => Promise<Res<C>> };

// Compile-time guard: the channel list and the map must name the same channels.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const channelsMatchMap: Exact<Channel, keyof ContractMap> = true;
void channelsMatchMap;

// ---------------------------------------------------------------- results & errors

/** One field problem from request validation (e.g. the settings schema). */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface IpcErrorShape {
  code: ErrorCode;
  message: string;
  /** Seconds, for rate_limited / backoff errors. */
  retryAfter?: number;
  issues?: FieldIssue[];
}

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcErrorShape };

// ---------------------------------------------------------------- pushed events

/** The one push channel; main sends `CompanionEvent`s on it. */
export const EVENT_CHANNEL = 'companion:event' as const;

export type CompanionEvent =
  | { type: 'monitor'; update: MonitorUpdate }
  | { type: 'status'; status: AppStatus }
  | { type: 'keys:changed'; keyIds: string[] }
  | { type: 'settings:changed'; settings: SettingsView }
  /** Cloud validation is being retried after a 429/5xx; the UI counts down delayMs. */
  | { type: 'cloud:retry'; attempt: number; delayMs: number };

export type CompanionEventType = CompanionEvent['type'];

// ---------------------------------------------------------------- the bridge

/** The shape of `window.companion` (built by preload/index.ts, or by the e2e test bridge). */
export interface CompanionBridge {
  invoke<C extends Channel>(channel: C, ...args: ReqArgs<C>): Promise<IpcResult<Res<C>>>;
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: CompanionEvent) => void): () => void;
  platform: string;
}

declare global {
  interface Window {
    companion: CompanionBridge;
  }
}
