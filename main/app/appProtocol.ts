// The app:// scheme: serves the built renderer from one folder only (no file://, no remote URL),
// refuses path traversal and symlink escapes, and sets the strict CSP as a response header.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { CustomScheme } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'companion';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before `ready`: `standard` gives the scheme a real origin (relative URLs, storage),
 * `secure` makes it a secure context; no CORS, no bypassing CSP, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, bypassCSP: false, allowServiceWorkers: false, stream: false },
};

/**
 * The renderer talks to the main process only through the preload bridge, so it needs no network
 * at all: everything is 'self' (the app:// origin) and nothing else. Images may be data: URLs
 * (charts, icons). No inline scripts, no eval, no framing, no forms, no plugins.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "object-src 'none'",
  "worker-src 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Maps a request URL to a file under `root`, or null when the URL is not ours or tries to leave the
 * folder. Checked on the decoded path, segment by segment, so `%2e%2e`, `..%2f`, backslashes, NUL
 * and absolute paths are all refused rather than normalised into something that happens to work.
 */
export function resolveAppPath(root: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  // An encoded separator never appears in our own asset URLs; it only serves to smuggle one in.
  if (/%2f|%5c/i.test(url.pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.' || /^[a-zA-Z]:/.test(s))) return null;
  const relative = segments.length === 0 ? 'index.html' : segments.join('/');
  const resolved = path.resolve(root, relative);
  return isInside(path.resolve(root), resolved) ? resolved : null;
}

/** The `protocol.handle('app', …)` handler. Single-page app: extension-less paths fall back to index.html. */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rendererDir);
  let realRoot: string | null = null;
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed');
    let file = resolveAppPath(root, request.url);
    if (!file) return textResponse(403, 'Forbidden');
    realRoot ??= await fs.realpath(root).catch(() => root);
    let body: Buffer;
    try {
      const real = await fs.realpath(file).catch(async (err: NodeJS.ErrnoException) => {
        // Client-side routes (no extension) are served the app shell.
        if (err.code === 'ENOENT' && path.extname(file!) === '') {
          file = path.join(root, 'index.html');
          return fs.realpath(file);
        }
        throw err;
      });
      // A symlink inside the folder must not lead outside it.
      if (!isInside(realRoot, real)) return textResponse(403, 'Forbidden');
      const stat = await fs.stat(real);
      if (!stat.isFile()) return textResponse(404, 'Not found');
      body = await fs.readFile(real);
      file = real;
    } catch {
      return textResponse(404, 'Not found');
    }
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const headers = { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(body.length) };
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
  };
}
