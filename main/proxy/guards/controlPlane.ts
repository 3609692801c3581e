// The control plane is not reachable from the browser session (SPEC §8.5): the proxy's origin runs
// ComfyUI's UI and every custom node's JavaScript, so key management, all-keys usage and the audit log
// accept only a key sent in a header (or the app's IPC), never the session cookie.
import type { IncomingHttpHeaders } from 'node:http';
import { sameOriginVerdict } from '../../auth/login/sameOriginRequest';
import { isAdminOnlyPath, pathForms } from './routePolicy';
import type { Principal } from '../../common/principal';

const CONTROL_PLANE = /^\/(?:api\/(?:keys|audit|usage\/all)|metrics)(?:[/.?]|$)/i;

export function isControlPlanePath(pathname: string): boolean {
  return pathForms(pathname).some((p) => CONTROL_PLANE.test(p));
}

/** A refusal message when a session-cookie principal asks for a control-plane route; null otherwise. */
export function controlPlaneRefusal(principal: Principal, pathname: string): string | null {
  if (principal.via !== 'session') return null;
  // With the admin key, /api/usage answers for every key: the same as /api/usage/all.
  const usageOfAll = principal.scopes.includes('admin') && pathForms(pathname).some((p) => /^\/api\/usage\/?$/i.test(p));
  if (!usageOfAll && !isControlPlanePath(pathname)) return null;
  if (pathForms(pathname).some((p) => /^\/metrics\/?$/i.test(p))) {
    return 'Metrics are not served to a browser login session: send the admin key, or a key with the metrics scope, in an Authorization or X-API-Key header.';
  }
  return 'Key management is not available to a browser login session: use the companion app, or send the admin key in an Authorization or X-API-Key header.';
}

/**
 * Admin-only routes reached with a browser session must come from the page itself. Browsers send the
 * SameSite=Strict cookie from any localhost port (same site), and ComfyUI-Manager changes state on GETs
 * (`<img src=…/manager/queue/update_all>`), so a GET proves nothing. `Sec-Fetch-Site: none` (an address
 * typed by the user) is accepted too.
 */
export function sessionAdminRouteRefusal(principal: Principal, pathname: string, headers: IncomingHttpHeaders): string | null {
  if (principal.via !== 'session' || !isAdminOnlyPath(pathname)) return null;
  if (headers['sec-fetch-site'] === 'none' || sameOriginVerdict(headers).ok) return null;
  return 'This admin route must be requested by the ComfyUI page itself (same origin); a request from another page or port is refused.';
}
