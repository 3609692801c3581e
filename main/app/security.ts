// Every restriction on what web content may do, in one unit that receives app/webContents/session
// so it is tested with fakes: navigation, new windows, external links, <webview>, permissions.
import type { App, Event, Session, WebContents } from 'electron';
import { APP_ORIGIN } from './appProtocol';

/** Where the companion documents things; links here open in the system browser. */
export const PROJECT_DOCS_URL = 'https://docs.comfy.org/';
/** Comfy's account login, from the Cloud view's "Get a key" link (SPEC §5). */
export const COMFY_PLATFORM_LOGIN_URL = 'https://platform.comfy.org/login';
/** Comfy's account page (keys, plan, credits), from the Cloud view's "Manage account" link. */
export const COMFY_PLATFORM_PROFILE_URL = 'https://platform.comfy.org/profile';

/**
 * External URLs the app may hand to the system browser. An entry ending in '/' allows that path
 * and everything under it; otherwise the path must match exactly (any query string is allowed).
 */
export const EXTERNAL_ALLOW_LIST: readonly string[] = [COMFY_PLATFORM_LOGIN_URL, COMFY_PLATFORM_PROFILE_URL, PROJECT_DOCS_URL];

/**
 * Permissions the app's own page may use: writing (never reading) the clipboard, for the "copy"
 * buttons next to a new access key and the proxy URL. Everything else is denied.
 */
const APP_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export interface SecurityPolicy {
  appOrigin?: string;
  /** Extra allowed external URLs computed at the time of the click (e.g. the proxy's own URL). */
  extraExternal?: () => readonly string[];
  openExternal(url: string): Promise<void>;
  /** Told about every refusal (no secrets: URLs are shown without query). */
  onBlocked?(what: string, url: string): void;
}

function safeUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

export function isAppUrl(raw: string, appOrigin: string = APP_ORIGIN): boolean {
  const url = safeUrl(raw);
  // URL.origin is "null" for non-special schemes; compare scheme and host instead.
  return url !== null && `${url.protocol}//${url.host}` === appOrigin && url.username === '' && url.password === '';
}

export function isAllowedExternalUrl(raw: string, allowList: readonly string[]): boolean {
  const url = safeUrl(raw);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return false;
  return allowList.some((entry) => {
    const allowed = safeUrl(entry);
    if (!allowed || allowed.origin !== url.origin) return false;
    if (allowed.pathname.endsWith('/')) return url.pathname.startsWith(allowed.pathname);
    return url.pathname === allowed.pathname || (allowed.pathname === '/' && url.pathname === '');
  });
}

/** For logs: origin and path only, never a query string (it may hold a key). */
function describe(raw: string): string {
  const url = safeUrl(raw);
  return url ? `${url.protocol}//${url.host}${url.pathname}` : '<invalid url>';
}

const hardenedSessions = new WeakSet<object>();

/** Deny-by-default permission handlers; only the app's own origin gets the few it needs. */
export function hardenSession(session: Session, appOrigin: string = APP_ORIGIN): void {
  if (hardenedSessions.has(session)) return;
  hardenedSessions.add(session);
  session.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(APP_PERMISSIONS.has(permission) && isAppUrl(details.requestingUrl ?? '', appOrigin));
  });
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) => {
    return APP_PERMISSIONS.has(permission) && isAppUrl(requestingOrigin, appOrigin);
  });
}

export function hardenWebContents(contents: WebContents, policy: SecurityPolicy): void {
  const appOrigin = policy.appOrigin ?? APP_ORIGIN;
  const allowList = () => [...EXTERNAL_ALLOW_LIST, ...(policy.extraExternal?.() ?? [])];
  const openIfAllowed = (url: string) => {
    if (isAllowedExternalUrl(url, allowList())) {
      void policy.openExternal(url).catch(() => policy.onBlocked?.('open-external-failed', describe(url)));
      return true;
    }
    return false;
  };

  // Navigation away from the app is never allowed; a plain link to an allow-listed page opens in
  // the system browser instead, which is what the user meant.
  const guardNavigation = (kind: string) => (event: Event, legacyUrl?: string) => {
    const url = (event as Event & { url?: string }).url ?? legacyUrl ?? '';
    if (isAppUrl(url, appOrigin)) return;
    event.preventDefault();
    if (!openIfAllowed(url)) policy.onBlocked?.(kind, describe(url));
  };
  contents.on('will-navigate', guardNavigation('navigation'));
  contents.on('will-frame-navigate', guardNavigation('frame-navigation') as (e: Event) => void);
  contents.on('will-redirect', guardNavigation('redirect'));

  contents.setWindowOpenHandler(({ url }) => {
    if (!openIfAllowed(url)) policy.onBlocked?.('new-window', describe(url));
    return { action: 'deny' };
  });

  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    policy.onBlocked?.('webview', '');
  });

  hardenSession(contents.session, appOrigin);
}

/** Applies the restrictions to every web contents the app will ever create (windows, devtools, …). */
export function installSecurity(app: App, policy: SecurityPolicy): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, policy));
}
