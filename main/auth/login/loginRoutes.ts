// The proxy's own login routes (SPEC §4): the login page and its assets, the page helper script,
// POST /auth/login (key → session cookie) and POST /auth/logout. All are public routes: they run
// before authentication, after the core's Host and Origin checks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS_ACTOR, type AuditSink } from '../../audit/auditTypes';
import { CompanionError } from '../../common/errors';
import { readCookie } from '../credentials';
import { sendCompanionError, sendError, sendJson } from '../../http/respond';
import type { KeyAuthenticator } from '../../common/principal';
import type { LocalContext, LocalRoute } from '../../http/localRoute';
import { AUTH_INJECT_JS } from './authInjectScript';
import { LOGIN_PAGE_CSS, LOGIN_PAGE_JS } from './loginAssets';
import { loginBodyKind, readLoginBody, type LoginBodyKind } from './loginBody';
import { failureCode, isLoginErrorCode, loginErrorMessage, loginHint, type LoginErrorCode } from './loginMessages';
import { LOGIN_PAGE_CSP, renderLoginPage } from './loginPage';
import type { LoginThrottle } from './loginThrottle';
import { safeNextPath } from './safeNextPath';
import { sameOriginVerdict } from './sameOriginRequest';
import type { SessionStore } from '../sessions/sessionStore';

export const LOGIN_PAGE_PATH = '/auth_login.html';

export interface LoginRoutesDeps {
  sessions: SessionStore;
  /** The proxy's authenticator (admin key + key store): a login is checked exactly like a request. */
  keys: KeyAuthenticator;
  throttle: LoginThrottle;
  now: () => number;
  /** Failed logins are recorded here (successes by the session store); nothing typed is ever kept. */
  audit?: AuditSink;
  /** The headless CLI runs the proxy: keys come from whoever runs the box, not from an app on this machine. */
  headless?: boolean;
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': LOGIN_PAGE_CSP,
  'x-frame-options': 'DENY',
  // Not no-referrer: with it, Chromium sends `Origin: null` on the form POST (Fetch spec), which the
  // proxy's Origin check rightly refuses, so the no-JavaScript login could not work. same-origin still
  // never sends this page's URL to another site (and the page links to none).
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

function staticRoute(path: string, contentType: string, body: string): LocalRoute {
  const bytes = Buffer.from(body, 'utf8');
  const headers = {
    'content-type': contentType,
    'content-length': String(bytes.length),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
    'cross-origin-resource-policy': 'same-origin',
  };
  return {
    methods: ['GET', 'HEAD'],
    path,
    auth: 'public',
    handle({ req, res }) {
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : bytes);
    },
  };
}

function sendPage(res: ServerResponse, html: string, extra: Record<string, string> = {}): void {
  const bytes = Buffer.from(html, 'utf8');
  res.writeHead(200, { ...PAGE_HEADERS, 'content-length': String(bytes.length), ...extra });
  res.end(bytes);
}

/** 303: the browser follows a form POST's answer with a GET. */
function seeOther(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'content-length': '0', ...headers });
  res.end();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function loginPageUrl(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, v);
  const s = query.toString();
  return s ? `${LOGIN_PAGE_PATH}?${s}` : LOGIN_PAGE_PATH;
}

export function loginRoutes(deps: LoginRoutesDeps): LocalRoute[] {
  const { sessions, keys, throttle, now } = deps;
  const headless = deps.headless === true;

  const endPresentedSession = (req: IncomingMessage): void => {
    const sid = readCookie(single(req.headers.cookie), sessions.cookieName);
    if (sid) sessions.revoke(sid);
  };

  const page: LocalRoute = {
    methods: ['GET', 'HEAD'],
    path: LOGIN_PAGE_PATH,
    auth: 'public',
    handle({ req, res, url }) {
      const params = url.searchParams;
      const next = safeNextPath(params.get('next') ?? '/');
      if (params.get('logout') === 'true') {
        // A page on another site cannot log the user out by linking here (its navigation says cross-site).
        const site = single(req.headers['sec-fetch-site']);
        if (site === undefined || site === 'none' || site === 'same-origin') endPresentedSession(req);
        sendPage(res, renderLoginPage({ next, error: null, hint: loginHint('logged_out'), headless }), { 'set-cookie': sessions.clearCookie() });
        return;
      }
      const code = params.get('error');
      const retry = Number(params.get('retry'));
      const error = isLoginErrorCode(code) ? loginErrorMessage(code, Number.isFinite(retry) ? retry : undefined) : null;
      sendPage(res, renderLoginPage({ next, error, hint: loginHint(params.get('reason')), headless }));
    },
  };

  const login: LocalRoute = {
    methods: ['POST'],
    path: '/auth/login',
    auth: 'public',
    async handle({ req, res, clientAddress }: LocalContext) {
      const kind: LoginBodyKind | null = loginBodyKind(req.headers);
      const origin = sameOriginVerdict(req.headers);
      if (!origin.ok) {
        req.resume();
        sendError(res, 'forbidden', origin.message);
        return;
      }
      if (kind === null) {
        req.resume();
        sendError(res, 'invalid_request', 'Send the login as application/json or application/x-www-form-urlencoded.');
        return;
      }
      let next = '/';
      const fail = (code: LoginErrorCode, status: number, retryAfterS?: number): void => {
        deps.audit?.record(ANONYMOUS_ACTOR, 'login.failed', null, { reason: code });
        if (kind === 'form') {
          seeOther(res, loginPageUrl({ error: code, retry: retryAfterS === undefined ? undefined : String(retryAfterS), next: next === '/' ? undefined : next }));
          return;
        }
        const headers: Record<string, string> = retryAfterS === undefined ? {} : { 'retry-after': String(retryAfterS) };
        const type = status === 429 ? 'rate_limited' : status === 400 ? 'invalid_request' : 'unauthorized';
        const error: Record<string, unknown> = { type, message: loginErrorMessage(code, retryAfterS), reason: code };
        if (retryAfterS !== undefined) error.retry_after = retryAfterS;
        sendJson(res, status, { error }, headers);
      };

      const gate = throttle.check(clientAddress);
      if (!gate.allowed) {
        req.resume();
        fail('throttled', 429, gate.retryAfterS);
        return;
      }
      let body;
      try {
        body = await readLoginBody(req, kind);
      } catch (err) {
        if (kind === 'form') fail('bad_request', 400);
        else if (err instanceof CompanionError) sendCompanionError(res, err);
        else throw err;
        return;
      }
      next = safeNextPath(body.next ?? '/');
      if (!body.apiKey) {
        fail('missing', 400);
        return;
      }
      const outcome = keys.authenticate(body.apiKey, 'bearer', now());
      if (!outcome.ok) {
        const after = throttle.fail(clientAddress);
        // The attempt that reaches the limit already says how long to wait.
        if (!after.allowed) fail('throttled', 429, after.retryAfterS);
        else fail(failureCode(outcome), 401);
        return;
      }
      throttle.succeed(clientAddress);
      endPresentedSession(req); // whatever id the browser held (even one planted by someone else) is dead now
      const { setCookie } = sessions.createSession(outcome.principal, { remember: body.remember });
      if (kind === 'form') seeOther(res, next, { 'set-cookie': setCookie });
      else sendJson(res, 200, { ok: true, next, remember: body.remember }, { 'set-cookie': setCookie });
    },
  };

  const logout: LocalRoute = {
    methods: ['POST'],
    path: '/auth/logout',
    auth: 'public',
    handle({ req, res }) {
      req.resume();
      const origin = sameOriginVerdict(req.headers);
      if (!origin.ok) {
        sendError(res, 'forbidden', origin.message.replace('Login refused', 'Logout refused'));
        return;
      }
      endPresentedSession(req);
      const headers = { 'set-cookie': sessions.clearCookie() };
      if (loginBodyKind(req.headers) === 'form') seeOther(res, loginPageUrl({ reason: 'logged_out' }), headers);
      else sendJson(res, 200, { ok: true }, headers);
    },
  };

  return [
    page,
    staticRoute('/auth_login.css', 'text/css; charset=utf-8', LOGIN_PAGE_CSS),
    staticRoute('/auth_login.js', 'text/javascript; charset=utf-8', LOGIN_PAGE_JS),
    staticRoute('/auth_inject.js', 'text/javascript; charset=utf-8', AUTH_INJECT_JS),
    login,
    logout,
  ];
}
