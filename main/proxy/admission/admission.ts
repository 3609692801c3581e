// Admission of an authenticated request, shared by HTTP and the WebSocket upgrade: credential lookup
// (SPEC §2.3 order), authentication, scope and admin-only routes, the control-plane rule (no session
// cookie on key management, §8.5) and the per-key requests-per-minute quota.
import type { IncomingMessage } from 'node:http';
import { findCredential } from '../../auth/credentials';
import { LOGOUT_REASON_HEADER } from '../../auth/login/authInjectScript';
import { controlPlaneRefusal, sessionAdminRouteRefusal } from '../guards/controlPlane';
import { rateLimitHeaders, type PolicyDecision } from '../../http/rateLimitHeaders';
import { isQuotaRefusal, takeRequest } from '../../keys/quotas';
import { checkScope } from '../guards/routePolicy';
import type { AuthFailureReason, AuthOutcome, KeyAuthenticator, Principal, SessionAuthenticator } from '../../common/principal';
import type { RateLimiter } from '../../common/rateLimit';

export const WWW_AUTHENTICATE = 'Bearer realm="ComfyUI Auth Companion"';

export interface Admitted {
  principal: Principal;
  /** RateLimit headers for the response. */
  headers: Record<string, string>;
  /** The key came as ?api_key= (a navigation trades it for a session). */
  fromQuery: boolean;
  /** The requests-per-minute decision, when the principal has quotas (for "closest to its limit"). */
  requests: PolicyDecision | null;
  /** Re-runs this authentication (revocation of open sockets and long responses, SPEC §8.6). */
  recheck: () => AuthOutcome;
}

export interface Denial {
  status: 401 | 403 | 429;
  code: 'unauthorized' | 'forbidden' | 'rate_limited';
  message: string;
  headers: Record<string, string>;
  /** Known when the key was valid but the scope or rate limit refused it (so usage counts it). */
  principal?: Principal;
  /** Why authentication failed, for the login page's hint. */
  reason?: AuthFailureReason;
}

export interface AdmissionDeps {
  keys: KeyAuthenticator;
  sessions: SessionAuthenticator | null;
  rateLimiter: RateLimiter | null;
  now: () => number;
}

export type Admit = (req: IncomingMessage, url: URL, method: string) => Admitted | Denial;

export function isDenial(a: Admitted | Denial): a is Denial {
  return 'status' in a;
}

export function createAdmission({ keys, sessions, rateLimiter, now }: AdmissionDeps): Admit {
  return (req, url, method): Admitted | Denial => {
    const cred = findCredential(req.headers, url, sessions?.cookieName ?? null);
    if (!cred) {
      return {
        status: 401,
        code: 'unauthorized',
        message: 'An API key is required: send Authorization: Bearer <key>, X-API-Key, or log in.',
        headers: { 'www-authenticate': WWW_AUTHENTICATE },
      };
    }
    const source = cred.source;
    const recheck = (): AuthOutcome =>
      source === 'session'
        ? (sessions?.authenticate(cred.value, now()) ?? { ok: false, reason: 'unknown', message: 'Invalid session.' })
        : keys.authenticate(cred.value, source, now());
    const outcome = recheck();
    if (!outcome.ok) {
      const headers: Record<string, string> = { 'www-authenticate': `${WWW_AUTHENTICATE}, error="invalid_token"` };
      if (cred.source === 'session' && sessions) {
        headers['set-cookie'] = `${sessions.cookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`;
        // The page script's bounce to the login page carries it, so the page can say why (authInjectScript.ts).
        if (outcome.reason === 'revoked' || outcome.reason === 'expired') headers[LOGOUT_REASON_HEADER] = outcome.reason;
      }
      const message =
        cred.source === 'session' && outcome.reason === 'unknown' ? 'Your login session has ended; please log in again.' : outcome.message;
      return { status: 401, code: 'unauthorized', message, headers, reason: outcome.reason };
    }
    const principal = outcome.principal;
    const scope = checkScope(principal.scopes, method, url.pathname);
    if (!scope.allowed) return { status: 403, code: 'forbidden', message: scope.message, headers: {}, principal };
    const control = controlPlaneRefusal(principal, url.pathname) ?? sessionAdminRouteRefusal(principal, url.pathname, req.headers);
    if (control) return { status: 403, code: 'forbidden', message: control, headers: {}, principal };
    if (!rateLimiter) return { principal, headers: {}, fromQuery: cred.source === 'query', requests: null, recheck };
    const requests = takeRequest(rateLimiter, principal, now());
    if (isQuotaRefusal(requests)) return { ...requests, principal };
    const headers = requests ? rateLimitHeaders(requests, requests.policy) : {};
    return { principal, headers, fromQuery: cred.source === 'query', requests, recheck };
  };
}
