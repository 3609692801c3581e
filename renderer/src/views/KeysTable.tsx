// The access keys table: name and key prefix, access level, jobs this hour against the limit, queued
// against the queue limit, last used, expiry and status; every action in one row menu.
import type { KeyView } from '../../../preload/contract';
import { Menu, type MenuItem } from '../components/Menu';
import { ProgressBar } from '../components/ui';
import { formatDate, formatNumber, formatRelative } from '../format';
import { accessLabel, expiryText, prefixText, STATUS_WORDS } from '../keyWords';
import type { KeySortColumn } from '../stores/keysStore';

export type KeyAction = 'edit' | 'disable' | 'enable' | 'rotate' | 'revoke' | 'duplicate';

const COLUMNS: { id: KeySortColumn; label: string; className?: string }[] = [
  { id: 'name', label: 'Name' },
  { id: 'access', label: 'Access' },
  { id: 'jobsThisHour', label: 'Jobs this hour' },
  { id: 'queued', label: 'Queued', className: 'num' },
  { id: 'lastUsed', label: 'Last used' },
  { id: 'expiresAt', label: 'Expires' },
  { id: 'status', label: 'Status' },
];

function menuItems(k: KeyView, act: (a: KeyAction) => void): MenuItem[] {
  if (k.status === 'revoked') {
    return [
      { label: 'Create a key like this…', onSelect: () => act('duplicate'), hint: 'Same access and limits, a new secret' },
      { label: 'Enable', onSelect: () => undefined, disabled: true, hint: 'A revoked key stays revoked', separated: true },
      { label: 'Rotate secret', onSelect: () => undefined, disabled: true, hint: 'A revoked key stays revoked' },
    ];
  }
  return [
    { label: 'Edit…', onSelect: () => act('edit') },
    k.isActive
      ? { label: 'Disable', onSelect: () => act('disable'), hint: 'Refuse it until you enable it again' }
      : { label: 'Enable', onSelect: () => act('enable'), hint: 'Accept it again' },
    { label: 'Rotate secret…', onSelect: () => act('rotate'), hint: 'New secret; the old one stops working' },
    { label: 'Create a key like this…', onSelect: () => act('duplicate') },
    { label: 'Revoke…', onSelect: () => act('revoke'), danger: true, separated: true, hint: 'Final: it can never be used again' },
  ];
}

interface Props {
  rows: KeyView[];
  sort: { column: KeySortColumn; direction: 'asc' | 'desc' };
  sortBy(column: KeySortColumn): void;
  selected: string | null;
  select(id: string | null): void;
  act(key: KeyView, action: KeyAction): void;
}

export function KeysTable({ rows, sort, sortBy, selected, select, act }: Props) {
  return (
    <div className="table-wrap">
      <table className="table keys-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.id} className={c.className} aria-sort={sort.column === c.id ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button type="button" className="th-button" onClick={() => sortBy(c.id)}>
                  {c.label}
                  <span className="sort-mark" aria-hidden="true">
                    {sort.column === c.id ? (sort.direction === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </th>
            ))}
            <th className="actions-col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((k) => {
            const full = k.jobsThisHour >= k.rateLimit;
            const cls = [k.id === selected ? 'selected' : '', `row-${k.status}`].filter(Boolean).join(' ');
            return (
              <tr key={k.id} className={cls} aria-selected={k.id === selected} onClick={() => select(k.id === selected ? null : k.id)}>
                <td className="name-cell">
                  <div className="key-name">{k.name}</div>
                  <div className="mono small muted" title={`Key id ${k.id}`}>
                    {prefixText(k)}
                  </div>
                </td>
                <td>{accessLabel(k.scopes)}</td>
                {k.status === 'revoked' ? (
                  <td className="muted">—</td>
                ) : (
                <td className="usage-cell">
                  <div className="usage-text num">
                    <strong>{formatNumber(k.jobsThisHour)}</strong>
                    <span className="muted"> / {formatNumber(k.rateLimit)}</span>
                  </div>
                  <ProgressBar
                    value={k.jobsThisHour}
                    max={k.rateLimit}
                    label={`${k.name} jobs this hour`}
                    tone={full ? 'danger' : k.jobsThisHour / k.rateLimit > 0.8 ? 'warn' : 'accent'}
                  />
                </td>
                )}
                <td className="num">
                  {k.status === 'revoked' ? (
                    <span className="muted">—</span>
                  ) : (
                    <>
                      <span className={k.queued > 0 ? '' : 'muted'}>{formatNumber(k.queued)}</span>
                      <span className="muted"> / {formatNumber(k.maxQueued)}</span>
                    </>
                  )}
                </td>
                <td title={k.lastUsed ? formatDate(k.lastUsed) : undefined}>{formatRelative(k.lastUsed)}</td>
                <td title={k.expiresAt ? formatDate(k.expiresAt) : undefined} className={k.status === 'expired' ? 'error-text' : ''}>
                  {k.status === 'revoked' ? '—' : expiryText(k)}
                </td>
                <td>
                  <span className={`badge badge-${k.status}`}>{STATUS_WORDS[k.status]}</span>
                </td>
                <td className="actions-col" onClick={(e) => e.stopPropagation()}>
                  <Menu label={`Actions for ${k.name}`} items={menuItems(k, (a) => act(k, a))} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
