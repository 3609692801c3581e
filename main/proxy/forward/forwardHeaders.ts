// The headers of a proxied exchange: what goes upstream (client credentials, session cookie, comfy-user,
// hop-by-hop and Connection-named headers removed; Host/Origin rewritten; the upstream key added) and what
// comes back to the client (hop-by-hop removed, upstream redirects pointed back at the proxy).
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { withoutCookie } from '../../auth/credentials';
import { memoByString } from '../guards/pathMemo';
import type { UpstreamTarget } from './upstreamTarget';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);
const NO_TOKENS: ReadonlySet<string> = new Set();

/** What shapes the headers sent upstream for one request. */
export interface UpstreamHeaderOptions {
  upstreamKey: string | null;
  sessionCookieName: string | null;
  /** The `comfy-user` the principal's key carries; the client's own header is never forwarded. */
  comfyUser: string | null;
}

/** The token set of a Connection value, remembered per value: clients and ComfyUI send the same one every time. */
const tokensOf = memoByString((text: string): ReadonlySet<string> => {
  const tokens = new Set(text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
  return tokens.size > 0 ? tokens : NO_TOKENS;
});

/** Header names listed in Connection (RFC 9110 §7.6.1): hop-by-hop for this message. Shared empty set when none. */
function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // `keep-alive` (nearly every message) names only a header that is hop-by-hop anyway.
  if (value === undefined || value === '' || value === 'keep-alive') return NO_TOKENS;
  return tokensOf(Array.isArray(value) ? value.join(',') : value);
}

export function upstreamRequestHeaders(req: IncomingMessage, target: UpstreamTarget, plan: UpstreamHeaderOptions): OutgoingHttpHeaders {
  const headers = req.headers;
  const drop = connectionTokens(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    switch (name) {
      case 'host':
      case 'authorization':
      case 'x-api-key':
      case 'comfy-user':
        continue;
      case 'cookie': {
        const kept = plan.sessionCookieName ? withoutCookie(String(value), plan.sessionCookieName) : String(value);
        if (kept) out.cookie = kept;
        continue;
      }
      case 'origin':
        out.origin = target.origin;
        continue;
      case 'referer':
        // A Referer could carry ?api_key= from a page address; the upstream never needs it.
        if (!String(value).includes('api_key')) out.referer = String(value);
        continue;
      default:
        out[name] = value;
    }
  }
  out.host = target.hostHeader;
  if (plan.upstreamKey) out.authorization = `Bearer ${plan.upstreamKey}`;
  if (plan.comfyUser) out['comfy-user'] = plan.comfyUser;
  return out;
}

/** The upstream's response headers as the client gets them, plus `extra` (RateLimit headers). */
export function clientResponseHeaders(
  upHeaders: IncomingHttpHeaders,
  target: UpstreamTarget,
  proxyOrigin: string,
  extra: Record<string, string>,
): OutgoingHttpHeaders {
  const drop = connectionTokens(upHeaders.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upHeaders) {
    const value = upHeaders[name];
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    if (name === 'location' && typeof value === 'string' && value.startsWith(target.origin)) {
      out.location = proxyOrigin + value.slice(target.origin.length);
      continue;
    }
    out[name] = value;
  }
  for (const name in extra) out[name] = extra[name];
  return out;
}
