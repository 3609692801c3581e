// Host allow-list (DNS-rebinding defence) and Origin check (CSRF, cross-site WebSocket hijacking).
import { isLoopbackHost } from '../../http/listenAddress';
import { memoByString } from './pathMemo';

/** Splits a Host header value into host and port; null when malformed. */
export function parseHostHeader(value: string | undefined): { host: string; port: number | null } | null {
  if (!value) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return null;
  return { host: (m[1] ?? '').toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) };
}

/** Host header value → parsed and whether it names loopback; remembered per value (clients repeat theirs). */
const hostOf = memoByString((value: string) => {
  const parsed = parseHostHeader(value);
  return parsed ? { ...parsed, loopback: isLoopbackHost(parsed.host) } : null;
});

/**
 * Host must name a loopback address or `localhost` with any port (SSH tunnels and port forwards arrive
 * on their own local port), or a host the user allowed (`allowed_hosts`: a bare name allows any port,
 * `name:port` that port only). DNS rebinding needs a foreign name in Host, which this refuses.
 */
export function isAllowedHost(hostHeader: string | undefined, allowedHosts: readonly string[] = []): boolean {
  if (!hostHeader) return false;
  const parsed = hostOf(hostHeader);
  if (!parsed) return false;
  if (parsed.loopback) return true;
  if (allowedHosts.length === 0) return false;
  const withPort = `${parsed.host}:${parsed.port ?? 80}`;
  return allowedHosts.some((h) => {
    const entry = h.toLowerCase();
    return entry === parsed.host || entry === withPort;
  });
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
 * An Origin, when present, must be the request's own origin (`http://` + its Host; `https://` too for an
 * allowed host, since tunnels such as Tailscale serve terminate TLS in front of the proxy) or one the user
 * allowed. `Origin: null` (sandboxed frames, file://) is refused.
 */
export function isAllowedOrigin(
  origin: string | undefined,
  hostHeader: string | undefined,
  extra: readonly string[],
  allowedHosts: readonly string[] = [],
): boolean {
  if (origin === undefined) return true;
  const presented = normaliseOrigin(origin);
  if (presented === null) return false;
  if (extra.includes(presented)) return true;
  const own = normaliseOrigin(`http://${hostHeader ?? ''}`);
  if (own !== null && presented === own) return true;
  if (presented.startsWith('https://') && own !== null && isAllowedHost(hostHeader, allowedHosts) && !isLoopbackOrigin(own)) {
    return presented === `https://${own.slice('http://'.length)}`;
  }
  return false;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}

/** Methods that may change state and therefore get the Origin check. */
export function needsOriginCheck(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}
