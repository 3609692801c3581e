// The data shapes that cross the IPC contract (preload/contract.ts re-exports all of them): what the
// renderer sees of keys, usage, the ComfyUI connection, Comfy Cloud, settings and the app's status.
// Type-only: no runtime code, never a secret except NewKeySecret.secret (see contract.ts).
import type { Scope } from '../main/common/principal';
import type { SecretBackendInfo } from '../main/secrets/secretStore';

export type KeyStatus = 'active' | 'disabled' | 'revoked' | 'expired';

/** An access key as the UI sees it. Times are epoch milliseconds. Never the secret or its hash. */
export interface KeyView {
  id: string;
  name: string;
  /** The key's first characters ("comfy_Ab3x"), to tell keys apart; null when the store has none. */
  prefix: string | null;
  createdAt: number;
  lastUsed: number | null;
  /** Jobs per hour (the key's `rate_limit`). */
  rateLimit: number;
  /** API requests per minute (static files of the web UI do not count). */
  requestsPerMinute: number;
  /** Jobs waiting or running at once. */
  maxQueued: number;
  /** ComfyUI --multi-user folder the proxy sends for this key, or null. */
  comfyUser: string | null;
  /** May spend the owner's Comfy credits (its jobs get the app's Comfy key; paid API nodes allowed). */
  cloud: boolean;
  /** At most this many jobs with paid API nodes per UTC day, or null for no cap. */
  cloudJobsPerDay: number | null;
  /** Its jobs with paid API nodes on the owner's account today (UTC). */
  cloudJobsToday: number;
  /** GPU seconds per UTC day, or null for no budget. */
  gpuSecondsPerDay: number | null;
  /** Weight in the shared GPU queue (default 1): while keys wait, share 2 gets about twice the GPU time of share 1. */
  share: number;
  /** False when disabled or revoked. */
  isActive: boolean;
  expiresAt: number | null;
  /** When it was revoked (final), or null. */
  revokedAt: number | null;
  scopes: Scope[];
  metadata: Record<string, string>;
  /** Jobs counted against `rateLimit` in the current hour. */
  jobsThisHour: number;
  /** The key's jobs waiting or running now (from the job ledger; 0 when none is wired). */
  queued: number;
  status: KeyStatus;
}

/** keys:create / keys:rotate only: the one moment a secret is shown. */
export interface NewKeySecret {
  key: KeyView;
  secret: string;
  message: string;
}

/** The quota and identity fields a key is created or edited with. */
export interface KeyFields {
  name: string;
  /** Jobs per hour. */
  rateLimit?: number;
  requestsPerMinute?: number;
  maxQueued?: number;
  /** null = none. */
  comfyUser?: string | null;
  cloud?: boolean;
  /** null = no daily cap. */
  cloudJobsPerDay?: number | null;
  /** null = no GPU budget. */
  gpuSecondsPerDay?: number | null;
  share?: number;
  /** Epoch ms; null or absent = never expires. */
  expiresAt?: number | null;
  scopes?: Scope[];
  metadata?: Record<string, string>;
}
export type KeyCreateRequest = KeyFields;

/** An edit; isActive false disables, true enables (a revoked key cannot be enabled: 409). */
export interface KeyPatch extends Partial<KeyFields> {
  isActive?: boolean;
}

export interface KeyUsageDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** All requests that day; the success/failure split is kept as totals only (usage.json). */
  requests: number;
}

export interface KeyUsageView {
  keyId: string;
  /** Jobs per hour. */
  rateLimit: number;
  windowS: number;
  requestsInWindow: number;
  remaining: number;
  /** Epoch ms when the window's quota is fully restored. */
  resetAt: number;
  lastUsed: number | null;
  totalRequests: number;
  successfulRequests: number;
  failedRequests: number;
  averageDurationMs: number;
  perDay: KeyUsageDay[];
}

/** One ComfyUI server's answer to a check with the ComfyUI key (ComfyUI connection view). */
export interface UpstreamCheck {
  url: string;
  reachable: boolean;
  /** null when it could not be told (unreachable, or no key needed). */
  keyAccepted: boolean | null;
  comfyuiVersion: string | null;
  /** e.g. "cuda:0 NVIDIA RTX 4090 (cuda)". */
  device: string | null;
  latencyMs: number | null;
  /** One sentence for the UI; never contains the key. */
  message: string;
}

/** Adding or changing a server's address: its check, and whether the list changed. */
export interface UpstreamProbe extends UpstreamCheck {
  /** false when nothing was stored (unreachable or key refused). */
  saved: boolean;
}

/** `upstreams:add`: a new server, or with `replace` a new address for that one (same place in the list). */
export interface UpstreamAddRequest {
  url: string;
  replace?: string;
}

/** `upstream:saveKey`: the one ComfyUI key every server gets. */
export interface UpstreamKeyRequest {
  /** null/empty = no key. */
  key: string | null;
  remember: boolean;
}

export interface UpstreamKeyResult {
  /** Each server's answer to the key, primary first. */
  checks: UpstreamCheck[];
  /** false when a server refused it: nothing was stored. */
  saved: boolean;
  message: string;
}

export type CloudEnvironment = 'production' | 'staging' | 'custom';

export interface CloudLoginRequest {
  key: string;
  environment: CloudEnvironment;
  customBaseUrl?: string;
}

export interface CloudAccountView {
  id: string | null;
  name: string | null;
  email: string | null;
  plan: string | null;
}

export interface CreditsView {
  /** The balance in the currency's minor unit, as ComfyUI's own frontend treats `amount_micros`. */
  amount: number;
  currency: string;
}

export interface CloudStatus {
  loggedIn: boolean;
  environment: CloudEnvironment;
  baseUrl: string;
  keyHint: string | null;
  account: CloudAccountView | null;
  credits: CreditsView | null;
  /** When the account and credits were last read from Comfy Cloud (epoch ms), or null. */
  checkedAt: number | null;
}

export type ThemeSetting = 'system' | 'light' | 'dark';

export interface NotificationSettings {
  /** A job queued by the app's own user finished or failed. */
  jobs: boolean;
  /** The ComfyUI server stopped answering or came back. */
  upstream: boolean;
}

export interface SettingsView {
  /** The ComfyUI servers, primary first (edited only in ComfyUI connection, through `upstreams:*`). */
  upstreams: string[];
  listenPort: number;
  allowedOrigins: string[];
  /** Host names besides this computer's that may reach the proxy: `name` (any port) or `name:port`. */
  allowedHosts: string[];
  /** Folders of ComfyUI's input folder every key may read (keys' own uploads are private to them). */
  sharedInputFolders: string[];
  theme: ThemeSetting;
  startAtLogin: boolean;
  notifications: NotificationSettings;
}
export type SettingsPatch = Partial<Omit<SettingsView, 'notifications' | 'upstreams'>> & { notifications?: Partial<NotificationSettings> };

/** Why the proxy is not listening. */
export interface ProxyProblem {
  code: 'port_in_use' | 'start_failed';
  /** One sentence for the UI. */
  message: string;
}

export interface ProxyStatus {
  /** 'error': it tried to listen and could not (see `error`). */
  state: 'running' | 'paused' | 'stopped' | 'error';
  url: string | null;
  /** The port it listens on, or would listen on. */
  port: number;
  error: ProxyProblem | null;
  version: string;
}

export interface UpstreamStatus {
  /** The primary server. */
  url: string;
  /** Every server, primary first. */
  urls: string[];
  keyHint: string | null;
  keyRemembered: boolean;
  /** null until the first health sample. */
  reachable: boolean | null;
  latencyMs: number | null;
  /** Why it is down, in words (never a secret); null when up or unknown. */
  error: string | null;
  /** True when every server is on this computer (127.0.0.0/8, ::1, localhost). */
  loopback: boolean;
  /** host:port of each server on another machine (reachable by its whole network unless it asks for a key). */
  remote: string[];
}

/** First-run checklist (Home): connect ComfyUI → create a key → open ComfyUI. */
export interface SetupStatus {
  upstreamConnected: boolean;
  keyCreated: boolean;
  comfyOpened: boolean;
  /** Closed by the user, or done once: the checklist stays hidden. */
  dismissed: boolean;
}

/** Something the user should read once (the settings file was damaged and reset); dismissable by id. */
export interface AppNotice {
  id: string;
  kind: 'settings-reset';
  message: string;
  at: number;
}

export interface AppStatus {
  proxy: ProxyStatus;
  upstream: UpstreamStatus;
  cloud: CloudStatus;
  /** Where secrets go when "remember" is chosen; the ComfyUI connection view states it. */
  secretBackend: SecretBackendInfo;
  /** Problems met loading stored secrets, safe to show. */
  warnings: string[];
  /** Browser sessions logged in through the proxy's login page. */
  sessions: number;
  keys: { total: number; active: number };
  setup: SetupStatus;
  notices: AppNotice[];
}
