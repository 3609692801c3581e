// Export files of usage and of the audit log, CSV or JSON with the same rows (columns in the README),
// written atomically by the main process to the path the user chose.
import { writeFileAtomicSync } from '../common/atomicFile';
import type { KeyRecord } from '../keys/keyRecord';
import { usageRows, USAGE_COLUMNS } from '../keys/usageReport';
import type { UsageRecorder } from '../keys/usageRecorder';
import { auditRows, AUDIT_COLUMNS } from './auditQuery';
import type { AuditEntry } from './auditTypes';
import { toCsv } from '../common/csv';

export interface ExportContent {
  text: string;
  rows: number;
}

export function usageExport(keys: readonly KeyRecord[], usage: Pick<UsageRecorder, 'jobs'>, days: number, format: 'csv' | 'json'): ExportContent {
  const rows = usageRows(keys, usage, days);
  return { rows: rows.length, text: format === 'csv' ? toCsv(USAGE_COLUMNS, rows) : `${JSON.stringify({ days, rows }, null, 2)}\n` };
}

export function auditExport(entries: readonly AuditEntry[], format: 'csv' | 'json'): ExportContent {
  return { rows: entries.length, text: format === 'csv' ? toCsv(AUDIT_COLUMNS, auditRows(entries)) : `${JSON.stringify({ entries }, null, 2)}\n` };
}

/** comfyui-usage-2026-11-20.csv */
export function exportFileName(what: 'usage' | 'audit', format: 'csv' | 'json', nowMs: number): string {
  return `comfyui-${what}-${new Date(nowMs).toISOString().slice(0, 10)}.${format}`;
}

export function writeExport(path: string, content: ExportContent): void {
  writeFileAtomicSync(path, content.text, 0o600);
}
