// Who is asking, as every layer above sees it: scopes, the authenticated principal with its quotas, and
// the authenticator contracts the key store and the session store implement (SPEC §2.3–§2.5).

/** `metrics`: only `GET /metrics`, for a Prometheus scraper (SPEC §2.5, §11); it can do nothing else. */
export type Scope = 'read' | 'generate' | 'admin' | 'metrics';
export const SCOPES: readonly Scope[] = ['read', 'generate', 'admin', 'metrics'];

/** Where the client's credential came from, in the order the proxy looks (SPEC §2.3). */
export type CredentialSource = 'bearer' | 'x-api-key' | 'query' | 'session';

/** Who is making a request, once authenticated. */
export interface Principal {
  kind: 'admin' | 'access_key';
  /** null for the admin key. */
  keyId: string | null;
  /** Shown in logs and the monitor; 'admin' for the admin key. Never the secret. */
  keyName: string;
  scopes: readonly Scope[];
  /** The key's quotas (SPEC §2.4); null for the admin key, which has none. */
  quotas: Quotas | null;
  /** ComfyUI `--multi-user` folder the proxy sends as `comfy-user` for this key, or null. */
  comfyUser: string | null;
  /** Whether this principal may spend the owner's Comfy account, and how many such jobs a day (SPEC §8.8). */
  cloud: CloudPermission;
  /** Weight in the shared GPU queue (SPEC §12): share 2 gets about twice the GPU time of share 1 while both wait. */
  share: number;
  via: CredentialSource;
  /** Set when authenticated by a login session cookie. */
  sessionId?: string;
}

/** The admin key may always; an access key only with `cloud: true`, within `cloud_jobs_per_day` (null: no cap). */
export interface CloudPermission {
  allowed: boolean;
  jobsPerDay: number | null;
}

/** The admin key's: the owner's own account, no cap. */
export const OWNER_CLOUD: CloudPermission = Object.freeze({ allowed: true, jobsPerDay: null });

/** A key's `share` unless set otherwise, and the admin key's (SPEC §12). */
export const DEFAULT_SHARE = 1;

/** Per-key quotas (SPEC §2.4, §8.2). */
export interface Quotas {
  /** Jobs (`POST /prompt`) per hour: the key's `rate_limit`. */
  jobsPerHour: number;
  /** Authenticated API requests and WebSocket upgrades per minute. */
  requestsPerMinute: number;
  /** Jobs of this key pending or running at once. */
  maxQueued: number;
  /** GPU seconds per UTC day, or null for no budget (SPEC §11). */
  gpuSecondsPerDay: number | null;
}

export type AuthFailureReason = 'unknown' | 'revoked' | 'expired' | 'malformed';

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; reason: AuthFailureReason; message: string };

/** Resolves a presented secret (admin key or access key). Must be constant-time in the secret. */
export interface KeyAuthenticator {
  authenticate(secret: string, via: Exclude<CredentialSource, 'session'>, nowMs: number): AuthOutcome;
}

/** Resolves a login session cookie, and mints sessions for `?api_key=` navigations. */
export interface SessionAuthenticator {
  readonly cookieName: string;
  authenticate(sessionId: string, nowMs: number): AuthOutcome;
  /** Creates a browser session for an authenticated principal; returns the Set-Cookie value. */
  createSession(principal: Principal, options: { remember: boolean }): { sessionId: string; setCookie: string };
}
