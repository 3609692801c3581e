// The IPC channels of accountability (audit log, usage per key and day, exports, retention), merged
// into the one contract by preload/contract.ts. Types only plus the channel list; no runtime imports.
// No channel here returns a secret: the audit log never holds one, and an export is written by main
// to a path the user chose in main's own save dialog (the renderer never names a path).

export type AuditEventName =
  | 'key.created'
  | 'key.edited'
  | 'key.disabled'
  | 'key.enabled'
  | 'key.revoked'
  | 'key.rotated'
  | 'login'
  | 'login.failed'
  | 'logout'
  | 'session.ended'
  | 'settings.changed'
  | 'cloud.login'
  | 'cloud.logout';

export interface AuditQuery {
  /** Epoch ms: entries at or after it. */
  since?: number;
  event?: AuditEventName;
  actor?: string;
  /** Case-insensitive text anywhere in the entry. */
  text?: string;
  /** Newest N (default 500). */
  limit?: number;
}

export interface AuditEntryView {
  /** Epoch ms. */
  time: number;
  actor: string;
  /** The key's current name when the actor is a key id. */
  actorName: string | null;
  event: AuditEventName;
  target: string | null;
  /** The key's current name when the target is a key id. */
  targetName: string | null;
  details: Record<string, string | number | boolean | null | string[]>;
}

export interface AuditListView {
  /** Newest first. */
  entries: AuditEntryView[];
  /** Entries matching the query before the limit. */
  matched: number;
  /** Entries in the whole log. */
  total: number;
  /** Lines a crash cut short, skipped. */
  skipped: number;
  /** Every actor in the log with a label (key name, or the actor itself), for the filter. */
  actors: { id: string; label: string }[];
}

export interface UsageDayView {
  /** YYYY-MM-DD (UTC). */
  date: string;
  requests: number;
  failedRequests: number;
  jobs: number;
  jobsSuccess: number;
  jobsFailed: number;
  jobsInterrupted: number;
  gpuSeconds: number;
  /** Jobs with paid API nodes on the owner's Comfy account (SPEC §8.8). */
  cloudJobs: number;
}

export interface UsageKeyView {
  keyId: string;
  name: string;
  isActive: boolean;
  /** The key's GPU budget per UTC day (null: none) and what it used of it today. */
  gpuSecondsPerDay: number | null;
  gpuSecondsToday: number;
  /** Sums over the window. */
  totals: Omit<UsageDayView, 'date'>;
  /** Every day of the window, oldest first, zeros included. */
  days: UsageDayView[];
}

export interface UsageReportView {
  days: number;
  /** Keys with any activity in the window first, by GPU seconds then jobs then requests, descending. */
  keys: UsageKeyView[];
  retentionDays: number;
}

export type ExportFormat = 'csv' | 'json';
export type ExportRequest = { what: 'usage'; format: ExportFormat; days: number } | { what: 'audit'; format: ExportFormat; query?: AuditQuery };

export interface ExportResult {
  /** false when the user cancelled the dialog. */
  saved: boolean;
  path: string | null;
  rows: number;
}

export const ACCOUNTABILITY_CHANNELS = ['audit:list', 'usage:report', 'export:save', 'retention:set'] as const;
export type AccountabilityChannel = (typeof ACCOUNTABILITY_CHANNELS)[number];

export interface AccountabilityContractMap {
  'audit:list': { req: AuditQuery; res: AuditListView };
  'usage:report': { req: { days: number }; res: UsageReportView };
  /** Opens main's save dialog, writes the file there; never returns the file's contents. */
  'export:save': { req: ExportRequest; res: ExportResult };
  /** Days of usage and audit history kept (1–3650); applied at once. */
  'retention:set': { req: { days: number }; res: { retentionDays: number } };
}
