// The audit log: who changed which key, logins and failed logins, logouts, ended sessions, settings and
// cloud logins; newest first, filterable by event, actor, time and text, exportable as CSV or JSON.
import { useEffect } from 'react';
import type { AuditEntryView, AuditEventName } from '../../../preload/contract';
import { Card, EmptyState, ErrorBanner, Loading } from '../components/ui';
import { formatNumber } from '../format';
import { onEvent } from '../ipc';
import { useAccountabilityStore } from '../stores/accountabilityStore';
import { ExportButtons, ExportNotice } from './ExportButtons';
import './accountability.css';

export const EVENT_LABELS: Record<AuditEventName, string> = {
  'key.created': 'Key created',
  'key.edited': 'Key edited',
  'key.disabled': 'Key disabled',
  'key.enabled': 'Key enabled',
  'key.revoked': 'Key revoked',
  'key.rotated': 'Key rotated',
  login: 'Login',
  'login.failed': 'Failed login',
  logout: 'Logout',
  'session.ended': 'Session ended',
  'settings.changed': 'Settings changed',
  'cloud.login': 'Cloud login',
  'cloud.logout': 'Cloud logout',
};

const FIXED_ACTORS: Record<string, string> = { app: 'App', cli: 'CLI', admin: 'Admin key', anonymous: 'Anonymous', system: 'Companion' };

function tone(event: AuditEventName): string {
  if (event === 'login.failed' || event === 'key.revoked') return 'danger';
  if (event === 'key.disabled' || event === 'session.ended' || event === 'logout' || event === 'cloud.logout') return 'warn';
  if (event === 'key.created' || event === 'key.enabled' || event === 'login' || event === 'cloud.login') return 'ok';
  return 'neutral';
}

function actorLabel(e: AuditEntryView): string {
  return FIXED_ACTORS[e.actor] ?? e.actorName ?? e.actor;
}

function detailText(value: AuditEntryView['details'][string]): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

const SINCE = [
  { hours: 0, label: 'All time' },
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
];

export function AuditView() {
  const { audit, auditError, filters, loadAudit, setFilters, exportAudit } = useAccountabilityStore();

  useEffect(() => {
    void loadAudit();
    // Most audited actions announce themselves on the push channel; re-read the log after them.
    return onEvent((e) => {
      if (e.type === 'keys:changed' || e.type === 'settings:changed' || e.type === 'status') void loadAudit();
    });
  }, [loadAudit]);

  const filtered = filters.event !== '' || filters.actor !== '' || filters.text.trim() !== '' || filters.sinceHours > 0;

  return (
    <div className="stack-lg">
      {auditError && <ErrorBanner onRetry={() => void loadAudit()}>{auditError}</ErrorBanner>}
      <ExportNotice />
      <Card title="Audit log" actions={<ExportButtons label="Export the audit log" onExport={(f) => void exportAudit(f)} />}>
        <div className="filters" role="search">
          <select aria-label="Event" value={filters.event} onChange={(e) => setFilters({ event: e.target.value as AuditEventName | '' })}>
            <option value="">All events</option>
            {(Object.keys(EVENT_LABELS) as AuditEventName[]).map((ev) => (
              <option key={ev} value={ev}>
                {EVENT_LABELS[ev]}
              </option>
            ))}
          </select>
          <select aria-label="Actor" value={filters.actor} onChange={(e) => setFilters({ actor: e.target.value })}>
            <option value="">Anyone</option>
            {audit?.actors.map((a) => (
              <option key={a.id} value={a.id}>
                {FIXED_ACTORS[a.id] ?? a.label}
              </option>
            ))}
          </select>
          <select aria-label="Time" value={filters.sinceHours} onChange={(e) => setFilters({ sinceHours: Number(e.target.value) })}>
            {SINCE.map((s) => (
              <option key={s.hours} value={s.hours}>
                {s.label}
              </option>
            ))}
          </select>
          <input type="search" className="search" placeholder="Search names, ids, details" aria-label="Search the audit log" value={filters.text} onChange={(e) => setFilters({ text: e.target.value })} />
        </div>
        {!audit ? (
          auditError ? null : <Loading label="Reading the audit log…" />
        ) : audit.total === 0 ? (
          <EmptyState title="Nothing recorded yet">Key changes, logins, logouts, settings and Comfy Cloud logins are recorded here, with who did them.</EmptyState>
        ) : audit.entries.length === 0 ? (
          <EmptyState title="Nothing matches the filters" action={filtered ? <button type="button" className="button button-small" onClick={() => setFilters({ event: '', actor: '', text: '', sinceHours: 0 })}>Clear filters</button> : undefined} />
        ) : (
          <div className="table-wrap audit-wrap">
            <table className="table compact audit-table" aria-label="Audit entries">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Event</th>
                  <th>Actor</th>
                  <th>Target</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {audit.entries.map((e, i) => (
                  <tr key={`${e.time}-${i}`}>
                    <td className="num muted nowrap" title={new Date(e.time).toISOString()}>
                      {new Date(e.time).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })}
                    </td>
                    <td>
                      <span className={`badge badge-audit-${tone(e.event)}`}>{EVENT_LABELS[e.event]}</span>
                    </td>
                    <td className="audit-who" title={e.actor}>
                      {actorLabel(e)}
                    </td>
                    <td className="audit-who" title={e.target ?? ''}>
                      {e.target === null ? <span className="muted">—</span> : (e.targetName ?? <span className="mono small">{e.target}</span>)}
                    </td>
                    <td>
                      <div className="audit-details">
                        {Object.entries(e.details)
                          .filter(([k]) => k !== 'name' || e.targetName === null)
                          .map(([k, v]) => (
                            <span key={k} className="detail" title={detailText(v)}>
                              <span className="muted">{k.replace(/_/g, ' ')}</span> {detailText(v)}
                            </span>
                          ))}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {audit && audit.total > 0 && (
          <p className="note">
            Showing {formatNumber(audit.entries.length)} of {formatNumber(audit.matched)} matching ({formatNumber(audit.total)} recorded). Secrets and guessed keys are never recorded.
            {audit.skipped > 0 && ` ${audit.skipped} damaged line(s) skipped.`}
          </p>
        )}
      </Card>
    </div>
  );
}
