// Complete validation of a WebSocket opening handshake (RFC 6455 §4.2.1, one Host) before any upstream socket is
// opened, so a bad request costs the upstream nothing; and the rule that a handshake authenticated by the
// session cookie must carry this origin's Origin (a local page on another port is "same-site" and would
// otherwise ride the SameSite=Strict cookie into /ws).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ErrorCode } from '../../common/errors';
import { duplicateHostProblem } from '../guards/singleHost';
import type { Principal } from '../../common/principal';

export interface HandshakeRefusal {
  status: number;
  code: ErrorCode;
  message: string;
  headers: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerLines(rawHeaders: readonly string[], lowerName: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === lowerName) values.push(rawHeaders[i + 1] ?? '');
  }
  return values;
}

function tokens(value: string | undefined): string[] {
  return (value ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
}

/** A Sec-WebSocket-Key is the base64 of exactly 16 bytes, in canonical form. */
export function isValidWsKey(key: string): boolean {
  if (!/^[+/0-9A-Za-z]{22}==$/.test(key)) return false;
  const bytes = Buffer.from(key, 'base64');
  return bytes.length === 16 && bytes.toString('base64') === key;
}

const bad = (message: string, headers: Record<string, string> = {}, status = 400): HandshakeRefusal => ({
  status,
  code: 'invalid_request',
  message,
  headers,
});

/** The reason a handshake is malformed, or null when it is a well-formed version-13 WebSocket handshake. */
export function handshakeProblem(req: IncomingMessage): HandshakeRefusal | null {
  const hosts = duplicateHostProblem(req.rawHeaders);
  if (hosts) return bad(hosts);
  if (req.method !== 'GET') return bad(`A WebSocket handshake must be a GET, not ${req.method ?? '?'}.`, { allow: 'GET' }, 405);
  if (req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
    return bad('A WebSocket handshake needs HTTP/1.1.');
  }
  if (tokens(req.headers.upgrade).join(',') !== 'websocket') {
    return bad(`Only "Upgrade: websocket" is supported, not "${String(req.headers.upgrade ?? '')}".`);
  }
  if (!tokens(req.headers.connection).includes('upgrade')) return bad('A WebSocket handshake needs "Connection: Upgrade".');
  const versions = headerLines(req.rawHeaders, 'sec-websocket-version');
  if (versions.length !== 1 || versions[0]?.trim() !== '13') {
    const got = versions.length === 0 ? 'none' : versions.map((v) => `"${v}"`).join(', ');
    return bad(`Unsupported Sec-WebSocket-Version (${got}); only 13 is supported.`, { 'sec-websocket-version': '13' });
  }
  const keys = headerLines(req.rawHeaders, 'sec-websocket-key');
  if (keys.length !== 1 || !isValidWsKey(keys[0]?.trim() ?? '')) {
    return bad(keys.length > 1 ? 'More than one Sec-WebSocket-Key header.' : 'Missing or invalid Sec-WebSocket-Key (must be the base64 of 16 bytes).');
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    const list = String(protocols).split(',').map((p) => p.trim());
    if (list.some((p) => !TOKEN.test(p)) || new Set(list).size !== list.length) {
      return bad('Invalid Sec-WebSocket-Protocol: expected a comma-separated list of distinct tokens.');
    }
  }
  return null;
}

/** A cookie-authenticated upgrade without Origin is refused; a foreign Origin was already refused before. */
export function cookieOriginProblem(principal: Principal, headers: IncomingHttpHeaders): HandshakeRefusal | null {
  if (principal.via !== 'session' || headers.origin !== undefined) return null;
  return {
    status: 403,
    code: 'forbidden',
    message: 'A WebSocket authenticated by the login cookie must send this page’s Origin header; scripts should send their key instead.',
    headers: {},
  };
}
