// ComfyUI's server logs for a key's web UI (SPEC §8.4 keeps `/internal/*` admin-only). The logs can show
// other people's prompts, file names and paths, so a key never gets them; but the web UI asks for them by
// itself — the error report of a failed job (`GET /internal/logs`, a toast "Failed to fetch server logs" when
// refused) and the Logs panel (`GET /internal/logs/raw`, then `PATCH /internal/logs/subscribe`) — so a key is
// answered in ComfyUI's shapes with a one-line note instead of a 403, and nothing reaches ComfyUI.
import type { ServerResponse } from 'node:http';

export type ServerLogsRoute = 'logs' | 'raw' | 'subscribe';

const ROUTES: Record<string, { methods: readonly string[]; kind: ServerLogsRoute }> = {
  '/internal/logs': { methods: ['GET', 'HEAD'], kind: 'logs' },
  '/internal/logs/raw': { methods: ['GET', 'HEAD'], kind: 'raw' },
  '/internal/logs/subscribe': { methods: ['PATCH'], kind: 'subscribe' },
};

export const SERVER_LOGS_NOTE = 'Server logs are shown to the admin of this ComfyUI only.\n';

/**
 * The stand-in a key gets, or null. Only these exact paths as parsed: no percent-encoding, doubled slash or
 * other spelling (each of which decodes or collapses to something else) matches, so those stay admin-only.
 */
export function serverLogsRoute(method: string, pathname: string): ServerLogsRoute | null {
  const route = Object.hasOwn(ROUTES, pathname) ? ROUTES[pathname] : undefined;
  return route && route.methods.includes(method) ? route.kind : null;
}

/** ComfyUI's answers (api_server/routes/internal/internal_routes.py), holding the note instead of log lines. */
export function answerServerLogsForKey(res: ServerResponse, kind: ServerLogsRoute, headers: Record<string, string>, now: Date): void {
  if (kind === 'subscribe') {
    res.writeHead(200, { ...headers, 'content-length': '0' });
    res.end();
    return;
  }
  const body =
    kind === 'logs'
      ? JSON.stringify(`${now.toISOString()} - ${SERVER_LOGS_NOTE}`)
      : JSON.stringify({ entries: [{ t: now.toISOString(), m: SERVER_LOGS_NOTE }], size: { cols: 80, rows: 24 } });
  res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
