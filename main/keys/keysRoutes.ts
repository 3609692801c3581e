// The key-management HTTP API the proxy serves itself (SPEC §4): /api/keys CRUD + rotate for
// admin principals, /api/usage for any principal. Routes run after the proxy authenticated the
// caller; admin routes still re-check the scope in case they are ever mounted wrongly.
import type { ServerResponse } from 'node:http';
import { CompanionError, toCompanionError } from '../common/errors';
import { sendCompanionError, sendJson } from '../http/respond';
import { HOUR_MS, jobsBucket } from './quotas';
import type { LocalContext, LocalRoute } from '../http/localRoute';
import type { Principal } from '../common/principal';
import { createKeySchema, parseInput, rotateKeySchema, updateKeySchema } from './keyInput';
import type { KeyRateLimiter } from './rateLimiter';
import type { KeyRecord } from './keyRecord';
import type { KeyStore } from './keyStore';
import { DEFAULT_BODY_CAP, readJsonBody } from '../http/readJsonBody';
import { jobUsageStats, type JobUsageStats } from './usageReport';
import type { UsageRecorder } from './usageRecorder';

export const CREATED_MESSAGE = 'API key created. Save this key - it will not be shown again.';
export const ROTATED_MESSAGE = 'API key rotated. Save this key - it will not be shown again.';

export interface KeysRoutesDeps {
  store: KeyStore;
  limiter: KeyRateLimiter;
  usage: UsageRecorder;
  /** Epoch ms. */
  now?: () => number;
  /** Max request body, bytes (default 64 KiB). */
  bodyCapBytes?: number;
  /** The store's changes made for a caller; the audit log wraps them to record who (default: the store). */
  mutationsFor?: (principal: Principal) => Pick<KeyStore, 'create' | 'update' | 'revoke' | 'rotate'>;
}

/** Usage of one key in the seed-compatible superset shape of GET /api/usage. */
export interface UsageReport {
  key_id: string;
  key_name: string;
  rate_limit: number;
  window_s: number;
  requests_in_window: number;
  remaining: number;
  reset_at: number;
  last_used: number | null;
  /** Plus jobs, gpu_seconds and days (every day of the window) from usageReport.ts. */
  usage_stats: JobUsageStats & {
    total_requests: number;
    successful_requests: number;
    failed_requests: number;
    total_duration: number;
    average_duration: number;
    requests_per_day: Record<string, number>;
  };
}

const KEY_PATH = /^\/api\/keys\/([^/]+)$/;
const ROTATE_PATH = /^\/api\/keys\/([^/]+)\/rotate$/;
const MAX_DAYS = 90;
const DEFAULT_DAYS = 30;

export function keysRoutes(deps: KeysRoutesDeps): LocalRoute[] {
  const { store, limiter, usage } = deps;
  const now = deps.now ?? Date.now;
  const cap = deps.bodyCapBytes ?? DEFAULT_BODY_CAP;
  const keysFor = deps.mutationsFor ?? (() => store);

  const report = (key: KeyRecord, days: number | undefined): UsageReport => {
    const nowMs = now();
    const rate = limiter.peek(jobsBucket(key.key_id), key.rate_limit, HOUR_MS, nowMs);
    const u = usage.get(key.key_id, days);
    return {
      key_id: key.key_id,
      key_name: key.name,
      rate_limit: key.rate_limit,
      window_s: rate.windowS,
      requests_in_window: rate.limit - rate.remaining,
      remaining: rate.remaining,
      reset_at: Math.round(nowMs / 1000) + rate.resetS,
      last_used: u.last_used,
      usage_stats: {
        total_requests: u.total_requests,
        successful_requests: u.successful_requests,
        failed_requests: u.failed_requests,
        total_duration: u.total_duration,
        average_duration: u.total_requests === 0 ? 0 : u.total_duration / u.total_requests,
        requests_per_day: u.requests_per_day,
        ...jobUsageStats(usage, key.key_id, days ?? DEFAULT_DAYS, nowMs),
      },
    };
  };

  const mustGet = (keyId: string): KeyRecord => {
    const key = store.get(keyId);
    if (!key) throw new CompanionError('not_found', `No API key with id "${keyId}"`);
    return key;
  };

  return [
    admin(['POST'], '/api/keys', async (ctx, principal) => {
      const body = await readJsonBody(ctx.req, cap);
      const { record, secret } = await keysFor(principal).create(parseInput(createKeySchema, body));
      send(ctx.res, 200, { key_id: record.key_id, api_key: secret, name: record.name, rate_limit: record.rate_limit, message: CREATED_MESSAGE });
    }),
    admin(['GET'], '/api/keys', (ctx) => {
      send(ctx.res, 200, { keys: store.list() });
    }),
    admin(['GET', 'PATCH', 'DELETE'], KEY_PATH, async (ctx, principal) => {
      const keyId = match(ctx, KEY_PATH);
      if (ctx.req.method === 'GET') {
        const key = mustGet(keyId);
        send(ctx.res, 200, { ...key, usage: report(key, undefined) });
      } else if (ctx.req.method === 'PATCH') {
        const body = await readJsonBody(ctx.req, cap);
        mustGet(keyId); // 404 before 400 for an unknown id
        send(ctx.res, 200, await keysFor(principal).update(keyId, parseInput(updateKeySchema, body)));
      } else {
        const key = await keysFor(principal).revoke(keyId);
        send(ctx.res, 200, { ...key, message: 'API key revoked' });
      }
    }),
    admin(['POST'], ROTATE_PATH, async (ctx, principal) => {
      const keyId = match(ctx, ROTATE_PATH);
      const body = (await readJsonBody(ctx.req, cap)) ?? {};
      const { grace_seconds: graceSeconds } = parseInput(rotateKeySchema, body);
      mustGet(keyId);
      const { record, secret, previousValidUntil } = await keysFor(principal).rotate(keyId, { graceSeconds });
      send(ctx.res, 200, {
        key_id: record.key_id,
        api_key: secret,
        name: record.name,
        rate_limit: record.rate_limit,
        previous_key_valid_until: previousValidUntil,
        message: ROTATED_MESSAGE,
      });
    }),
    route(['GET'], '/api/usage', 'any', (ctx, principal) => {
      const days = parseDays(ctx.url.searchParams.get('days'));
      if (principal.scopes.includes('admin')) {
        send(ctx.res, 200, { keys: store.list().map((k) => report(k, days)) });
        return;
      }
      if (!principal.keyId) throw new CompanionError('not_found', 'No usage is recorded for this principal');
      send(ctx.res, 200, report(mustGet(principal.keyId), days));
    }),
    // The seed's all-keys route (SPEC §8.4); /api/usage with the admin key answers the same.
    admin(['GET'], '/api/usage/all', (ctx) => {
      const days = parseDays(ctx.url.searchParams.get('days'));
      send(ctx.res, 200, { keys: store.list().map((k) => report(k, days)) });
    }),
  ];
}

function admin(methods: string[], path: string | RegExp, fn: (ctx: LocalContext, p: Principal) => void | Promise<void>): LocalRoute {
  return route(methods, path, 'admin', (ctx, principal) => {
    if (!principal.scopes.includes('admin')) throw new CompanionError('forbidden', 'This API key may not manage keys (admin scope required)');
    return fn(ctx, principal);
  });
}

function route(
  methods: string[],
  path: string | RegExp,
  auth: 'any' | 'admin',
  fn: (ctx: LocalContext, p: Principal) => void | Promise<void>,
): LocalRoute {
  return {
    methods,
    path,
    auth,
    async handle(ctx) {
      try {
        if (!ctx.principal) throw new CompanionError('unauthorized', 'An API key is required');
        await fn(ctx, ctx.principal);
      } catch (err) {
        sendError(ctx.res, err);
      }
    },
  };
}

function match(ctx: LocalContext, pattern: RegExp): string {
  return pattern.exec(ctx.url.pathname)?.[1] ?? '';
}

function parseDays(raw: string | null): number {
  if (raw === null) return DEFAULT_DAYS;
  const days = Number(raw);
  if (!/^\d+$/.test(raw) || days < 1 || days > MAX_DAYS) {
    throw new CompanionError('invalid_request', `Invalid parameter "days": must be a whole number from 1 to ${MAX_DAYS}`);
  }
  return days;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  // sendJson sets Cache-Control: no-store, which matters here: responses may carry a fresh secret.
  sendJson(res, status, body);
}

function sendError(res: ServerResponse, err: unknown): void {
  const e = toCompanionError(err);
  // After a 413 the rest of the body is unread; close rather than reuse the connection.
  sendCompanionError(res, e, e.code === 'payload_too_large' ? { connection: 'close' } : {});
}
