// Contracts between the proxy core and the services plugged into it (key store, sessions,
// rate limiter, usage, monitor). The proxy depends only on these shapes, never on implementations.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Scope = 'read' | 'generate' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'generate', 'admin'];

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
  via: CredentialSource;
  /** Set when authenticated by a login session cookie. */
  sessionId?: string;
}

/** Per-key quotas (SPEC §2.4, §8.2). */
export interface Quotas {
  /** Jobs (`POST /prompt`) per hour: the key's `rate_limit`. */
  jobsPerHour: number;
  /** Authenticated API requests and WebSocket upgrades per minute. */
  requestsPerMinute: number;
  /** Jobs of this key pending or running at once. */
  maxQueued: number;
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

export interface RateDecision {
  allowed: boolean;
  /** Requests allowed per window. */
  limit: number;
  remaining: number;
  /** Window length in seconds (3600 for per-hour limits). */
  windowS: number;
  /** Seconds until the quota is fully restored. */
  resetS: number;
  /** Seconds until one more request would be allowed (0 when allowed). */
  retryAfterS: number;
}

export interface RateLimiter {
  /** Counts one event for the key if allowed: `limit` per `windowMs` (GCRA). O(1). */
  take(bucket: string, limit: number, windowMs: number, nowMs: number): RateDecision;
  /** Gives one event back (a job ComfyUI refused does not count against the hour). */
  refund(bucket: string, limit: number, windowMs: number): void;
}

/** One finished request, as the monitor and usage stats see it. Never holds a secret. */
export interface RequestRecord {
  at: number;
  method: string;
  /** Path plus query with credentials removed. */
  path: string;
  status: number;
  durationMs: number;
  keyId: string | null;
  keyName: string | null;
  /** True for the WebSocket upgrade of /ws. */
  websocket?: boolean;
}

/** Everything that wants to hear about traffic (usage stats, monitor). Calls must not throw or block. */
export interface ProxyObserver {
  onRequest?(record: RequestRecord): void;
  /** A text (JSON) message the upstream sent on a relayed /ws socket. */
  onUpstreamWsText?(text: string): void;
  onWsOpen?(info: { keyName: string | null }): void;
  onWsClose?(): void;
}

export interface LocalContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** null on public routes. */
  principal: Principal | null;
  /** The proxy's own origin, e.g. http://127.0.0.1:8189. */
  proxyOrigin: string;
  clientAddress: string;
}

/** A route answered by the proxy itself instead of the upstream. */
export interface LocalRoute {
  methods: readonly string[];
  /** Exact path, or a pattern tested against the pathname. */
  path: string | RegExp;
  /** public: before authentication; any: any authenticated principal; admin: admin scope only. */
  auth: 'public' | 'any' | 'admin';
  handle(ctx: LocalContext): void | Promise<void>;
}
