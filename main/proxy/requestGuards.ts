// Host allow-list (DNS-rebinding defence) and Origin check (CSRF, cross-site WebSocket hijacking).
import { isLoopbackHost } from './listenAddress';

/** Splits a Host header value into host and port; null when malformed. */
export function parseHostHeader(value: string | undefined): { host: string; port: number | null } | null {
  if (!value) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return null;
  return { host: (m[1] ?? '').toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) };
}

/** Host must be a loopback literal or `localhost` carrying the proxy's own port. */
export function isAllowedHost(hostHeader: string | undefined, proxyPort: number): boolean {
  const parsed = parseHostHeader(hostHeader);
  if (!parsed) return false;
  const port = parsed.port ?? 80;
  return port === proxyPort && isLoopbackHost(parsed.host);
}

/** Normalises an origin string (scheme://host[:port]) or returns null when it is not one. */
export function normaliseOrigin(value: string): string | null {
  try {
    const u = new URL(value);
    if (u.origin === 'null' || u.pathname !== '/' || u.search || u.hash) return null;
    return u.origin;
  } catch {
    return null;
  }
}

/**
 * An Origin, when present, must be the proxy's own origin (any loopback spelling of its host and port,
 * over http) or one the user allowed. `Origin: null` (sandboxed frames, file://) is refused.
 */
export function isAllowedOrigin(origin: string | undefined, proxyPort: number, extra: readonly string[]): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin === 'null') return false;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname) && Number(url.port || 80) === proxyPort) return true;
  return extra.includes(url.origin);
}

/** Methods that may change state and therefore get the Origin check. */
export function needsOriginCheck(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}
