// Small response writers shared by the proxy's own routes: JSON, the error shape, redirects.
import type { ServerResponse } from 'node:http';
import { CompanionError, type ErrorCode, statusOf } from '../common/errors';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  // Kept readable after the answer (res.getHeader): the request log counts refusals by this policy.
  if (headers['ratelimit-policy']) res.setHeader('ratelimit-policy', headers['ratelimit-policy']);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
  status = statusOf(code),
): void {
  sendJson(res, status, new CompanionError(code, message).toBody(), headers);
}

export function sendCompanionError(res: ServerResponse, err: CompanionError, headers: Record<string, string> = {}): void {
  sendJson(res, err.status, err.toBody(), headers);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0, ...headers });
  res.end();
}

/** A readable HTML page for browser navigations that fail (upstream down, forbidden). */
export function sendHtmlError(res: ServerResponse, status: number, title: string, detail: string): void {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}
@media(prefers-color-scheme:dark){body{background:#16171a;color:#e6e6e6}}h1{font-size:1.3rem}</style></head>
<body><h1>${esc(title)}</h1><p>${esc(detail)}</p><p><a href="">Try again</a></p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'cache-control': 'no-store',
  });
  res.end(html);
}
