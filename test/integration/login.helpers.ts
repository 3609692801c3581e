// Small helpers for the login integration tests: log in over HTTP the way the page does, read cookies.
import type { IncomingHttpHeaders } from 'node:http';
import { request, type HttpResult } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';

export function setCookies(headers: IncomingHttpHeaders): string[] {
  const v = headers['set-cookie'];
  return v === undefined ? [] : v;
}

/** The session cookie value set by a response, or null. */
export function sessionCookie(res: HttpResult): string | null {
  for (const c of setCookies(res.headers)) {
    const m = /^cac_session=([^;]*)/.exec(c);
    if (m) return m[1] ?? '';
  }
  return null;
}

export function sameOrigin(h: Harness): Record<string, string> {
  return { origin: h.url };
}

/** POST /auth/login as the page's script does (JSON, same-origin). */
export function loginJson(
  h: Harness,
  body: Record<string, unknown>,
  headers: Record<string, string> = sameOrigin(h),
): Promise<HttpResult> {
  return request(`${h.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** POST /auth/login as the page's form does without JavaScript. */
export function loginForm(h: Harness, fields: Record<string, string>, headers: Record<string, string> = sameOrigin(h)): Promise<HttpResult> {
  return request(`${h.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

export function withSession(cookie: string, headers: Record<string, string> = {}): Record<string, string> {
  return { cookie: `cac_session=${cookie}`, ...headers };
}
