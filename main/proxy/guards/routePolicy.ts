// Which routes are exempt from authentication, which are ComfyUI API routes, and what each scope may do
// (SPEC §2). Compiled once at start-up; the per-request checks are a few regex tests.
import type { IncomingHttpHeaders } from 'node:http';
import { hasPathTrick } from './pathTricks';
import { memoByString } from './pathMemo';
import { serverLogsRoute } from './serverLogs';
import type { Scope } from '../../common/principal';

const STATIC_EXTENSIONS = /\.(?:html|m?js|map|css|json|png|jpe?g|gif|webp|avif|svg|ico|woff2?|ttf|otf|wasm|mp3|wav|mp4|webm)$/i;
const STATIC_PREFIXES = /^\/(?:extensions|templates|docs)\//;
/** ComfyUI API routes (and their /api twins): never exempt, whatever their extension. */
const API_ROUTES =
  /^\/(?:userdata|v2\/userdata|(?:api|prompt|queue|history|view|upload|object_info|system_stats|interrupt|free|internal|ws)(?:[/.?]|$))/i;
/** Pages answered by the proxy itself that need no key. */
const PUBLIC_PROXY_ROUTES = new Set(['/health', '/auth_login.html', '/auth_inject.js', '/auth_login.css', '/auth_login.js']);

function computePathForms(pathname: string): readonly string[] {
  const forms = new Set<string>([pathname]);
  try {
    forms.add(decodeURIComponent(pathname));
  } catch {
    /* undecodable: the raw form is all we have */
  }
  for (const f of [...forms]) forms.add(f.replace(/\/{2,}/g, '/').replace(/\\/g, '/'));
  return Object.freeze([...forms]);
}

/** The forms of a path a router might match: as sent, percent-decoded, with runs of slashes collapsed (remembered per path). */
export const pathForms: (pathname: string) => readonly string[] = memoByString(computePathForms);

/**
 * GET/HEAD of the web UI's static assets, the login page and /health: no key needed. `rawTarget` (req.url as
 * received) is checked for path tricks (pathTricks.ts) that the parsed pathname no longer shows.
 */
export function isExemptRoute(method: string, pathname: string, rawTarget?: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (rawTarget !== undefined && hasPathTrick(rawTarget)) return false;
  return isExemptPath(pathname);
}

const isExemptPath = memoByString((pathname: string): boolean => {
  if (PUBLIC_PROXY_ROUTES.has(pathname)) return true;
  const forms = pathForms(pathname);
  // Admin-only routes are never anonymous, whatever extension a spelling ends in (`/manager/x.json`).
  if (forms.some((p) => API_ROUTES.test(p) || ADMIN_ONLY.test(p))) return false;
  // `/` and `/index.html` need a session: without one a browser is sent to the login page.
  if (forms.some((p) => p === '/' || p.toLowerCase() === '/index.html')) return false;
  return forms.every((p) => STATIC_EXTENSIONS.test(p) || STATIC_PREFIXES.test(p));
});

/** A top-level browser navigation (gets a login redirect or an HTML error page instead of JSON). */
export function isBrowserNavigation(method: string, headers: IncomingHttpHeaders): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const mode = headers['sec-fetch-mode'];
  if (typeof mode === 'string' && mode !== 'navigate') return false;
  const accept = headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Writes a `generate` key may make besides reads: queueing, uploads, queue/interrupt, and the UI's own state. */
const GENERATE_WRITES =
  /^\/(?:api\/)?(?:prompt|upload\/[^/]+|queue|interrupt|history|userdata(?:\/.*)?|v2\/userdata(?:\/.*)?|settings(?:\/.*)?)$/;
/**
 * Admin only, whatever the method (SPEC §8.4): the proxy's control plane; ComfyUI-Manager in every spelling
 * (it treats a loopback ComfyUI as local and installs code for whoever reaches it, some routes by GET);
 * `/free` and `/internal/*`; ComfyUI's doubled `/api/api/*` twins of routes it declares under `/api` (e.g. the job
 * list), which the sharing rules do not cover. Matched on every form of the path, case-insensitively.
 */
const ADMIN_ONLY =
  /^\/(?:api\/(?:keys|audit|usage\/all)|(?:api\/)?(?:v2\/)?(?:manager|customnode|externalmodel|snapshot|comfyui_manager|free|internal)|api\/api)(?:[/.?;]|$)/i;
/** `POST /users` creates a ComfyUI --multi-user user folder: admin only (the GET lists them for the UI). */
const ADMIN_ONLY_WRITE = /^\/(?:api\/)?users\/?$/i;

/** A route only the admin scope may use, whatever the method (SPEC §8.4). */
export function isAdminOnlyPath(pathname: string): boolean {
  return pathForms(pathname).some((p) => ADMIN_ONLY.test(p));
}

/** The proxy's Prometheus endpoint: the admin key or a key with the `metrics` scope, nothing else (SPEC §11). */
export const METRICS_PATH = /^\/metrics\/?$/;

export type ScopeDecision = { allowed: true } | { allowed: false; message: string };

export function checkScope(scopes: readonly Scope[], method: string, pathname: string): ScopeDecision {
  if (scopes.includes('admin')) return { allowed: true };
  // The web UI's own log requests get a quiet stand-in from the proxy, never ComfyUI's logs (serverLogs.ts).
  if (serverLogsRoute(method, pathname)) return { allowed: true };
  const forms = pathForms(pathname);
  if (forms.some((p) => METRICS_PATH.test(p))) {
    if (scopes.includes('metrics') && (method === 'GET' || method === 'HEAD')) return { allowed: true };
    return { allowed: false, message: `${method} ${pathname} is available to the admin key and keys with the metrics scope only.` };
  }
  if (forms.some((p) => ADMIN_ONLY.test(p) || (method !== 'GET' && method !== 'HEAD' && ADMIN_ONLY_WRITE.test(p)))) {
    return { allowed: false, message: `${method} ${pathname} is available to the admin key only.` };
  }
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
    if (scopes.includes('read') || scopes.includes('generate')) return { allowed: true };
  } else if (scopes.includes('generate') && forms.every((p) => GENERATE_WRITES.test(p))) {
    return { allowed: true };
  }
  const have = scopes.join(', ') || 'none';
  return { allowed: false, message: `This key's scopes (${have}) do not allow ${method} ${pathname}.` };
}
