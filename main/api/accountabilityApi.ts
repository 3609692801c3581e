// IPC handlers of accountability (preload/accountabilityContract.ts): the audit log with filters and
// key names, usage per key and day, exports through main's save dialog, and the retention setting.
import type { AccountabilityChannel, AuditEntryView, ContractHandlers, UsageDayView, UsageKeyView } from '../../preload/contract';
import { z } from 'zod';
import type { AuditLog } from '../audit/auditLog';
import { filterAudit, type AuditFilter } from '../audit/auditQuery';
import { AUDIT_EVENTS, type AuditEntry } from '../audit/auditTypes';
import { auditExport, exportFileName, usageExport, writeExport } from '../audit/exportFile';
import { CompanionError } from '../common/errors';
import type { KeyRecord } from '../keys/keyRecord';
import type { KeyStore } from '../keys/keyStore';
import { gpuSecondsOn, jobUsageStats } from '../keys/usageReport';
import type { UsageRecorder } from '../keys/usageRecorder';
import { parse } from './companionApiSchemas';

export interface SaveDialogOptions {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
}
export type ShowSaveDialog = (options: SaveDialogOptions) => Promise<{ canceled: boolean; filePath?: string }>;

export interface AccountabilityPort {
  audit: Pick<AuditLog, 'read'>;
  usage: Pick<UsageRecorder, 'jobs'>;
  retention: { get(): number; set(days: number): void };
  /** Electron's dialog.showSaveDialog (injected); absent where there is no window (tests without one). */
  showSaveDialog?: ShowSaveDialog;
}

export interface AccountabilityDeps {
  keys: Pick<KeyStore, 'list'>;
  accountability?: AccountabilityPort;
  now?: () => number;
}

const auditQuery = z.strictObject({
  since: z.number().int().nonnegative().optional(),
  event: z.enum(AUDIT_EVENTS).optional(),
  actor: z.string().max(100).optional(),
  text: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(10_000).optional(),
});
const days = z.number().int().min(1).max(3650);
const exportRequest = z.discriminatedUnion('what', [
  z.strictObject({ what: z.literal('usage'), format: z.enum(['csv', 'json']), days }),
  z.strictObject({ what: z.literal('audit'), format: z.enum(['csv', 'json']), query: auditQuery.optional() }),
]);

type Handlers = Pick<ContractHandlers, AccountabilityChannel>;

export function accountabilityHandlers(deps: AccountabilityDeps): Handlers {
  const now = deps.now ?? Date.now;
  const port = (): AccountabilityPort => {
    if (!deps.accountability) throw new CompanionError('unavailable', 'Usage and the audit log are not available here');
    return deps.accountability;
  };
  const filterOf = (q: z.output<typeof auditQuery>): AuditFilter => ({ sinceMs: q.since, event: q.event, actor: q.actor, text: q.text });

  return {
    'audit:list': async (req) => {
      const q = parse(auditQuery, req ?? {});
      const { entries, skipped } = port().audit.read();
      const names = new Map(deps.keys.list().map((k) => [k.key_id, k.name]));
      const matched = filterAudit(entries, filterOf(q));
      const shown = matched.slice(Math.max(0, matched.length - (q.limit ?? 500))).reverse();
      const actors = [...new Set(entries.map((e) => e.actor))].sort().map((id) => ({ id, label: names.get(id) ?? id }));
      return { entries: shown.map((e) => entryView(e, names)), matched: matched.length, total: entries.length, skipped, actors };
    },
    'usage:report': async (req) => {
      const { days: n } = parse(z.strictObject({ days }), req);
      const keys = deps.keys.list().map((k) => keyUsage(k, port().usage, n, now()));
      keys.sort((a, b) => b.totals.gpuSeconds - a.totals.gpuSeconds || b.totals.jobs - a.totals.jobs || b.totals.requests - a.totals.requests || a.name.localeCompare(b.name));
      return { days: n, keys, retentionDays: port().retention.get() };
    },
    'export:save': async (req) => {
      const r = parse(exportRequest, req);
      const p = port();
      if (!p.showSaveDialog) throw new CompanionError('unavailable', 'No save dialog is available');
      const content = r.what === 'usage' ? usageExport(deps.keys.list(), p.usage, r.days, r.format) : auditExport(filterAudit(p.audit.read().entries, filterOf(r.query ?? {})), r.format);
      const choice = await p.showSaveDialog({
        title: r.what === 'usage' ? 'Export usage' : 'Export the audit log',
        defaultPath: exportFileName(r.what, r.format, now()),
        filters: [r.format === 'csv' ? { name: 'CSV', extensions: ['csv'] } : { name: 'JSON', extensions: ['json'] }],
      });
      if (choice.canceled || !choice.filePath) return { saved: false, path: null, rows: content.rows };
      try {
        writeExport(choice.filePath, content);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new CompanionError('unavailable', `Could not write ${choice.filePath} (${e.code ?? e.message}); nothing was saved`);
      }
      return { saved: true, path: choice.filePath, rows: content.rows };
    },
    'retention:set': async (req) => {
      const { days: n } = parse(z.strictObject({ days }), req);
      port().retention.set(n);
      return { retentionDays: port().retention.get() };
    },
  };
}

function entryView(e: AuditEntry, names: Map<string, string>): AuditEntryView {
  return {
    time: Date.parse(e.time),
    actor: e.actor,
    actorName: names.get(e.actor) ?? null,
    event: e.event,
    target: e.target,
    targetName: e.target === null ? null : (names.get(e.target) ?? null),
    details: e.details,
  };
}

function keyUsage(k: KeyRecord, usage: Pick<UsageRecorder, 'jobs'>, n: number, nowMs: number): UsageKeyView {
  const stats = jobUsageStats(usage, k.key_id, n, nowMs);
  const dayViews: UsageDayView[] = stats.days.map((d) => ({
    date: d.date,
    requests: d.requests,
    failedRequests: d.failed_requests,
    jobs: d.jobs,
    jobsSuccess: d.jobs_success,
    jobsFailed: d.jobs_failed,
    jobsInterrupted: d.jobs_interrupted,
    gpuSeconds: d.gpu_seconds,
    cloudJobs: d.cloud_jobs,
  }));
  const totals = { requests: 0, failedRequests: 0, jobs: 0, jobsSuccess: 0, jobsFailed: 0, jobsInterrupted: 0, gpuSeconds: 0, cloudJobs: 0 };
  for (const d of dayViews) for (const f of Object.keys(totals) as (keyof typeof totals)[]) totals[f] += d[f];
  totals.gpuSeconds = Math.round(totals.gpuSeconds * 1000) / 1000;
  const today = Math.round(gpuSecondsOn(usage, k.key_id, nowMs) * 1000) / 1000;
  return { keyId: k.key_id, name: k.name, isActive: k.is_active, gpuSecondsPerDay: k.gpu_seconds_per_day, gpuSecondsToday: today, totals, days: dayViews };
}
