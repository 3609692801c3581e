// Parses and validates the proxy's listen address: loopback only, because the browser must only
// ever see a localhost origin (that is what keeps Comfy's whitelisted-origin login rules true).
import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

export class ListenAddressError extends Error {
  override name = 'ListenAddressError';
}

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped form) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** Parses `HOST:PORT`, `[::1]:PORT` or `PORT`; refuses anything that is not loopback. */
export function parseListenAddress(value: string): ListenAddress {
  const text = value.trim();
  let host = '127.0.0.1';
  let portText = text;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2] ?? '';
  } else if (text.includes(':')) {
    const at = text.lastIndexOf(':');
    host = text.slice(0, at);
    portText = text.slice(at + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new ListenAddressError(`invalid listen port in "${value}": expected HOST:PORT with PORT 0-65535`);
  }
  if (!isLoopbackHost(host)) {
    throw new ListenAddressError(
      `refusing to listen on "${host}": only loopback addresses are allowed (127.0.0.1, ::1, localhost). ` +
        'The proxy must never be reachable from the network; run it on the machine where the browser and scripts run.',
    );
  }
  return { host, port: Number(portText) };
}
