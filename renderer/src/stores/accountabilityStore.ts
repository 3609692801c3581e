// Accountability data for the Usage and Audit views: the usage report of the chosen window, the audit
// log with its filters, exports (main opens the save dialog and writes the file) and retention.
import { create } from 'zustand';
import type { AuditEventName, AuditListView, AuditQuery, ExportFormat, ExportResult, UsageReportView } from '../../../preload/contract';
import { call, errorMessage } from '../ipc';

export interface AuditFilters {
  event: AuditEventName | '';
  actor: string;
  text: string;
  /** Hours back; 0 = all. */
  sinceHours: number;
}

interface AccountabilityState {
  usage: UsageReportView | null;
  usageDays: number;
  usageError: string | null;
  selectedKey: string | null;
  audit: AuditListView | null;
  auditError: string | null;
  filters: AuditFilters;
  exporting: boolean;
  /** The last export's outcome, shown until the next one. */
  exported: { ok: true; result: ExportResult } | { ok: false; message: string } | null;
  loadUsage(days?: number): Promise<void>;
  selectKey(id: string | null): void;
  loadAudit(): Promise<void>;
  setFilters(patch: Partial<AuditFilters>): void;
  exportUsage(format: ExportFormat): Promise<void>;
  exportAudit(format: ExportFormat): Promise<void>;
  setRetention(days: number): Promise<void>;
}

function auditQuery(f: AuditFilters): AuditQuery {
  const q: AuditQuery = { limit: 500 };
  if (f.event) q.event = f.event;
  if (f.actor) q.actor = f.actor;
  if (f.text.trim()) q.text = f.text.trim();
  if (f.sinceHours > 0) q.since = Date.now() - f.sinceHours * 3_600_000;
  return q;
}

export const useAccountabilityStore = create<AccountabilityState>((set, get) => {
  const runExport = async (run: () => Promise<ExportResult>) => {
    set({ exporting: true });
    try {
      set({ exported: { ok: true, result: await run() } });
    } catch (err) {
      set({ exported: { ok: false, message: errorMessage(err) } });
    } finally {
      set({ exporting: false });
    }
  };
  return {
    usage: null,
    usageDays: 30,
    usageError: null,
    selectedKey: null,
    audit: null,
    auditError: null,
    filters: { event: '', actor: '', text: '', sinceHours: 0 },
    exporting: false,
    exported: null,
    async loadUsage(days = get().usageDays) {
      set({ usageDays: days });
      try {
        const usage = await call('usage:report', { days });
        const selected = get().selectedKey;
        const keep = selected !== null && usage.keys.some((k) => k.keyId === selected);
        set({ usage, usageError: null, selectedKey: keep ? selected : (usage.keys[0]?.keyId ?? null) });
      } catch (err) {
        set({ usageError: errorMessage(err) });
      }
    },
    selectKey(id) {
      set({ selectedKey: id });
    },
    async loadAudit() {
      try {
        set({ audit: await call('audit:list', auditQuery(get().filters)), auditError: null });
      } catch (err) {
        set({ auditError: errorMessage(err) });
      }
    },
    setFilters(patch) {
      set({ filters: { ...get().filters, ...patch } });
      void get().loadAudit();
    },
    exportUsage: (format) => runExport(() => call('export:save', { what: 'usage', format, days: get().usageDays })),
    exportAudit: (format) => {
      const { limit: _all, ...query } = auditQuery(get().filters);
      return runExport(() => call('export:save', { what: 'audit', format, query }));
    },
    async setRetention(days) {
      await call('retention:set', { days });
      await get().loadUsage();
    },
  };
});
