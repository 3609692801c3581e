// Finds the client's credential (SPEC §2.3 order) and removes every client credential before forwarding.
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialSource } from '../common/principal';

export interface PresentedCredential {
  source: CredentialSource;
  value: string;
}

/** Reads one cookie's value from a Cookie header; null when absent. */
export function readCookie(cookieHeader: string | undefined, name: string): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Removes one cookie from a Cookie header; undefined when nothing is left. */
export function withoutCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  const kept = cookieHeader
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '' && p.slice(0, Math.max(0, p.indexOf('='))).trim() !== name);
  return kept.length ? kept.join('; ') : undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The first credential present wins: Bearer, X-API-Key, ?api_key=, then the session cookie.
 * An Authorization header with another scheme is not a credential for the proxy.
 */
export function findCredential(
  headers: IncomingHttpHeaders,
  url: URL,
  sessionCookieName: string | null,
): PresentedCredential | null {
  const auth = single(headers.authorization);
  if (auth) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (m?.[1]) return { source: 'bearer', value: m[1] };
  }
  const xKey = single(headers['x-api-key'])?.trim();
  if (xKey) return { source: 'x-api-key', value: xKey };
  const q = url.searchParams.get('api_key');
  if (q) return { source: 'query', value: q };
  if (sessionCookieName) {
    const sid = readCookie(single(headers.cookie), sessionCookieName);
    if (sid) return { source: 'session', value: sid };
  }
  return null;
}

/**
 * Path and query with every `api_key` parameter removed, keeping the rest of the query byte for byte
 * (re-serialising through URLSearchParams would change other parameters' encoding).
 */
export function stripQueryCredential(url: URL): string {
  if (!url.search) return url.pathname;
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((part) => {
      const name = part.split('=', 1)[0] ?? '';
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* keep the raw name */
      }
      return decoded !== 'api_key';
    });
  return kept.length ? `${url.pathname}?${kept.join('&')}` : url.pathname;
}
