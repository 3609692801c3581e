// Login and logout change who the browser is, so they demand proof that the request comes from a page
// of this very origin: an Origin header naming it, or `Sec-Fetch-Site: same-origin`. The core's Origin
// check only refuses a foreign Origin when one is sent; this also refuses a request that sends neither.
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../../http/listenAddress';

export type OriginVerdict = { ok: true } | { ok: false; message: string };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A tunnel that terminates TLS in front of the proxy (Tailscale serve) keeps the browser's Host, so its
 * page origin is https:// + Host. Only for a non-loopback Host, which the proxy let in because the user
 * allowed it (same rule as requestGuards.isAllowedOrigin); a loopback page is always plain http.
 */
function tlsTwin(own: string): string | null {
  const host = new URL(own).hostname.replace(/^\[|\]$/g, '');
  return isLoopbackHost(host) ? null : `https://${own.slice('http://'.length)}`;
}

export function sameOriginVerdict(headers: IncomingHttpHeaders): OriginVerdict {
  let own: string;
  try {
    // Host was already checked by the proxy (a loopback name, or an allowed host); the page's origin is http://Host.
    own = new URL(`http://${single(headers.host) ?? ''}`).origin;
  } catch {
    return { ok: false, message: 'Login refused: the Host header is not usable.' };
  }
  const site = single(headers['sec-fetch-site']);
  if (site !== undefined && site !== 'same-origin') {
    return { ok: false, message: `Login refused: the request came from another site (Sec-Fetch-Site: ${site}).` };
  }
  const origin = single(headers.origin);
  if (origin !== undefined) {
    let presented: string;
    try {
      presented = new URL(origin).origin;
    } catch {
      presented = 'null';
    }
    if (presented !== own && presented !== tlsTwin(own)) {
      return { ok: false, message: `Login refused: Origin "${origin}" is not this page's origin (${own}).` };
    }
    return { ok: true };
  }
  if (site === 'same-origin') return { ok: true };
  return { ok: false, message: `Login refused: send an Origin header (${own}) or Sec-Fetch-Site: same-origin.` };
}
