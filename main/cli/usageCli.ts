// `keys usage [ID] [--days N] [--csv|--json]`: requests, jobs by outcome and GPU seconds per key and
// UTC day, read from the data dir's usage.json (the running server writes it every second).
import { parseOptions } from './parseOptions';
import type { ReportCliIo } from './auditCli';
import { toCsv } from '../common/csv';
import { CompanionError } from '../common/errors';
import { KeyStore } from '../keys/keyStore';
import { round3, usageRows, USAGE_COLUMNS, type UsageRow } from '../keys/usageReport';
import { UsageRecorder } from '../keys/usageRecorder';

export const USAGE_HELP = `Usage: keys usage [ID] [--days N] [--csv|--json]
  Requests, jobs (success / failed / interrupted) and GPU seconds per key and UTC day (default 30 days).
`;

export function runUsageCommand(args: string[], io: ReportCliIo): number {
  // parseOptions: the CLI's own wording for option errors, and key ids that start with "-" (main/cli/).
  const { values, positionals } = parseOptions(args, {
    topic: 'keys usage',
    positional: { name: 'key id', optional: true },
    options: { 'data-dir': { type: 'string' }, days: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    io.stdout(USAGE_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new CompanionError('invalid_request', 'Expected at most one key id');
  if (values.json && values.csv) throw new CompanionError('invalid_request', 'Give either --json or --csv, not both');
  const daysText = values.days ?? '30';
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days < 1 || days > 3650) throw new CompanionError('invalid_request', '--days must be a whole number from 1 to 3650');
  const dataDir = values['data-dir'] ?? io.dataDir;
  const usage = new UsageRecorder({ dataDir, readOnly: true, flushIntervalMs: 0, now: io.now, retentionDays: 3650 });
  let keys = new KeyStore({ dataDir, now: io.now }).list();
  const id = positionals[0];
  if (id !== undefined) {
    keys = keys.filter((k) => k.key_id === id);
    if (keys.length === 0) throw new CompanionError('not_found', `No API key with id "${id}"`);
  }
  const rows = usageRows(keys, usage, days);
  if (values.json) io.stdout(`${JSON.stringify({ days, rows })}\n`);
  else if (values.csv) io.stdout(toCsv(USAGE_COLUMNS, rows));
  else printTable(rows, days, io);
  return 0;
}

function printTable(rows: readonly UsageRow[], days: number, io: ReportCliIo): void {
  if (rows.length === 0) {
    io.stdout(`No usage in the last ${days} day(s).\n`);
    return;
  }
  const head = ['DATE', 'KEY', 'NAME', 'REQUESTS', 'REQ ERRORS', 'JOBS', 'OK', 'FAILED', 'INTERRUPTED', 'GPU', 'CLOUD'];
  const table = [
    head,
    ...rows.map((r) => [r.date, r.key_id, r.key_name, r.requests, r.failed_requests, r.jobs, r.jobs_success, r.jobs_failed, r.jobs_interrupted, gpu(r.gpu_seconds), r.cloud_jobs].map(String)),
  ];
  const widths = head.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) io.stdout(`${r.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()}\n`);
}

/** 754.2 s → "12m 34.2s". */
function gpu(seconds: number): string {
  if (seconds < 60) return `${round3(seconds)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${(seconds - m * 60).toFixed(1)}s`;
}
