// `keys audit [--since 2026-11-01|7d] [--event E] [--actor A] [--json|--csv]`: the audit log of a data
// dir, oldest first, readable while a server writes it.
import { parseOptions } from './parseOptions';
import { warningLine } from './messages';
import { CompanionError } from '../common/errors';
import { readAuditLog } from '../audit/auditLog';
import { auditRows, AUDIT_COLUMNS, filterAudit, parseEventFilter, parseSince, type AuditFilter } from '../audit/auditQuery';
import type { AuditEntry } from '../audit/auditTypes';
import { toCsv } from '../common/csv';

export interface ReportCliIo {
  dataDir: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  now?: () => number;
}

export const AUDIT_HELP = `Usage: keys audit [--since 2026-11-01|7d|12h] [--event EVENT] [--actor ACTOR] [--json|--csv]
  Who did what: key changes, logins, logouts, settings and cloud logins, oldest first.
  Actors: app, cli, admin, a key id, anonymous (failed login), system.
`;

export function runAuditCommand(args: string[], io: ReportCliIo): number {
  // parseOptions: the CLI's own wording for option errors (main/cli/).
  const { values, positionals } = parseOptions(args, {
    topic: 'keys audit',
    options: {
      'data-dir': { type: 'string' },
      since: { type: 'string' },
      event: { type: 'string' },
      actor: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    io.stdout(AUDIT_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new CompanionError('invalid_request', `Unexpected argument "${positionals[0]}"`);
  if (values.json && values.csv) throw new CompanionError('invalid_request', 'Give either --json or --csv, not both');
  const now = (io.now ?? Date.now)();
  const filter: AuditFilter = {};
  if (values.since !== undefined) filter.sinceMs = parseSince(values.since, now);
  if (values.event !== undefined) filter.event = parseEventFilter(values.event);
  if (values.actor !== undefined) filter.actor = values.actor;
  const { entries: all, skipped } = readAuditLog(values['data-dir'] ?? io.dataDir);
  const entries = filterAudit(all, filter);
  if (values.json) {
    io.stdout(`${JSON.stringify({ entries, skipped_lines: skipped })}\n`);
  } else if (values.csv) {
    io.stdout(toCsv(AUDIT_COLUMNS, auditRows(entries)));
  } else if (entries.length === 0) {
    io.stdout(all.length === 0 ? 'The audit log is empty.\n' : 'No audit entries match.\n');
  } else {
    printTable(entries, io);
  }
  if (skipped > 0) io.stderr(warningLine(`${skipped} unreadable line(s) in the audit log were skipped (a write cut short by a crash)`));
  return 0;
}

function printTable(entries: readonly AuditEntry[], io: ReportCliIo): void {
  const rows = [['TIME', 'ACTOR', 'EVENT', 'TARGET', 'DETAILS'], ...entries.map((e) => [e.time.replace(/\.\d{3}Z$/, 'Z'), e.actor, e.event, e.target ?? '-', describe(e.details)])];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.stdout(`${r.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd()}\n`);
}

/** name=render-bot rate_limit=50 fields=rate_limit,scopes */
export function describe(details: AuditEntry['details']): string {
  return Object.entries(details)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v === null ? 'none' : /\s/.test(String(v)) ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}
