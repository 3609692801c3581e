// Choosing audit entries: `--since 2026-11-01|2026-11-01T12:00Z|7d|12h`, event, actor and free text;
// and the flat row shape both exports (CSV and JSON) share.
import { CompanionError } from '../common/errors';
import { isAuditEvent, type AuditEntry, type AuditEvent } from './auditTypes';

export interface AuditFilter {
  /** Epoch ms: entries at or after it. */
  sinceMs?: number;
  event?: AuditEvent;
  actor?: string;
  /** Case-insensitive, anywhere in the entry (target, details…). */
  text?: string;
  /** Newest N after filtering (kept in time order). */
  limit?: number;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** A date, a date-time, or an age like 7d / 12h / 30m / 2w → epoch ms. */
export function parseSince(text: string, nowMs: number): number {
  const age = /^(\d{1,5})([mhdw])$/.exec(text.trim());
  if (age) return nowMs - Number(age[1]) * UNIT_MS[age[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    // A bare date means midnight UTC, like the usage days.
    const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text.trim());
    if (!Number.isNaN(ms)) return ms;
  }
  throw new CompanionError('invalid_request', `Invalid "since": "${text}" (use a date like 2026-11-01, or an age like 7d, 12h, 30m)`);
}

export function parseEventFilter(text: string): AuditEvent {
  if (!isAuditEvent(text)) throw new CompanionError('invalid_request', `Invalid "event": "${text}" is not an audit event`);
  return text;
}

export function filterAudit(entries: readonly AuditEntry[], filter: AuditFilter): AuditEntry[] {
  const since = filter.sinceMs === undefined ? null : new Date(filter.sinceMs).toISOString();
  const text = filter.text?.trim().toLowerCase() || null;
  const out = entries.filter(
    (e) =>
      (since === null || e.time >= since) &&
      (filter.event === undefined || e.event === filter.event) &&
      (filter.actor === undefined || e.actor === filter.actor) &&
      (text === null || JSON.stringify(e).toLowerCase().includes(text)),
  );
  return filter.limit !== undefined && out.length > filter.limit ? out.slice(out.length - filter.limit) : out;
}

export const AUDIT_COLUMNS = ['time', 'actor', 'event', 'target', 'details'] as const;
export type AuditRow = Record<(typeof AUDIT_COLUMNS)[number], string | null>;

/** One row per entry; details as compact JSON, so the CSV and the JSON export hold the same text. */
export function auditRows(entries: readonly AuditEntry[]): AuditRow[] {
  return entries.map((e) => ({ time: e.time, actor: e.actor, event: e.event, target: e.target, details: JSON.stringify(e.details) }));
}
