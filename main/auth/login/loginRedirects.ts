// Where the login flow sends a browser. To the login page, which comes back to the address asked for (without
// any ?api_key=) afterwards. And after a `?api_key=` navigation traded its key for a session: to the same path
// without the key, but only when it passes the rules of the login form's `next` (safeNextPath), so
// `GET //evil.example/?api_key=K` cannot bounce a valid key holder off-origin. Anything else goes to `/`.
import type { ServerResponse } from 'node:http';
import { redirect } from '../../http/respond';
import { stripQueryCredential } from '../credentials';
import { safeNextPath } from './safeNextPath';

export function apiKeyRedirectTarget(url: URL): string {
  return safeNextPath(stripQueryCredential(url));
}

/** Sends a browser to the login page, which comes back to this address (without any ?api_key=) afterwards. */
export function redirectToLogin(res: ServerResponse, url: URL, extra: Record<string, string> = {}, reason?: string): void {
  const next = encodeURIComponent(stripQueryCredential(url));
  redirect(res, `/auth_login.html?next=${next}${reason ? `&reason=${encodeURIComponent(reason)}` : ''}`, extra);
}
