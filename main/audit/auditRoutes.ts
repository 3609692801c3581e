// GET /api/audit: the audit log over HTTP for the admin key (or an admin-scoped key) sent in a header.
// Never for the browser session (SPEC §8.5: the proxy origin runs ComfyUI's page and every custom
// node's JavaScript, so the control plane does not trust the cookie). ?since= ?event= ?actor= ?q=
// ?limit= (default 1000, newest kept) and ?format=json|csv.
import { CompanionError, toCompanionError } from '../common/errors';
import { sendCompanionError, sendJson } from '../http/respond';
import type { LocalRoute } from '../http/localRoute';
import type { Principal } from '../common/principal';
import { auditRows, AUDIT_COLUMNS, filterAudit, parseEventFilter, parseSince, type AuditFilter } from './auditQuery';
import type { AuditRead } from './auditLog';
import { toCsv } from '../common/csv';

const MAX_LIMIT = 100_000;

export interface AuditRoutesDeps {
  read(): AuditRead;
  now?: () => number;
}

export function auditRoutes(deps: AuditRoutesDeps): LocalRoute[] {
  const now = deps.now ?? Date.now;
  return [
    {
      methods: ['GET', 'HEAD'],
      path: '/api/audit',
      auth: 'admin',
      handle({ res, url, principal }) {
        try {
          checkControlPlane(principal);
          const filter = parseFilter(url.searchParams, now());
          const { entries: all, skipped } = deps.read();
          const entries = filterAudit(all, filter);
          if (url.searchParams.get('format') === 'csv') {
            const body = toCsv(AUDIT_COLUMNS, auditRows(entries));
            res.writeHead(200, {
              'content-type': 'text/csv; charset=utf-8',
              'content-disposition': 'attachment; filename="audit.csv"',
              'content-length': Buffer.byteLength(body),
              'cache-control': 'no-store',
              'x-content-type-options': 'nosniff',
            });
            res.end(body);
            return;
          }
          sendJson(res, 200, { entries, skipped_lines: skipped });
        } catch (err) {
          sendCompanionError(res, toCompanionError(err));
        }
      },
    },
  ];
}

/** Admin scope, and a credential from a header, never the login cookie. */
export function checkControlPlane(principal: Principal | null): void {
  if (!principal) throw new CompanionError('unauthorized', 'An API key is required');
  if (principal.via === 'session') {
    throw new CompanionError('forbidden', 'The audit log is not available to a browser login session; use the app, or send the admin key in an Authorization or X-API-Key header.');
  }
  if (!principal.scopes.includes('admin')) throw new CompanionError('forbidden', 'Reading the audit log needs the admin key (admin scope)');
}

function parseFilter(params: URLSearchParams, nowMs: number): AuditFilter {
  const known = new Set(['since', 'event', 'actor', 'q', 'limit', 'format']);
  for (const name of params.keys()) if (!known.has(name)) throw new CompanionError('invalid_request', `Unknown parameter "${name}"`);
  const format = params.get('format');
  if (format !== null && format !== 'json' && format !== 'csv') throw new CompanionError('invalid_request', 'Invalid parameter "format": use json or csv');
  const filter: AuditFilter = { limit: 1000 };
  const since = params.get('since');
  if (since !== null) filter.sinceMs = parseSince(since, nowMs);
  const event = params.get('event');
  if (event !== null) filter.event = parseEventFilter(event);
  const actor = params.get('actor');
  if (actor !== null) filter.actor = actor;
  const q = params.get('q');
  if (q !== null) filter.text = q;
  const limit = params.get('limit');
  if (limit !== null) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw new CompanionError('invalid_request', `Invalid parameter "limit": must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    filter.limit = Number(limit);
  }
  return filter;
}
