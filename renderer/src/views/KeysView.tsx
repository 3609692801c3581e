// Keys: searchable, sortable table of access keys with usage bars and row actions; a detail panel
// with the selected key's usage per day.
import { useEffect, useMemo, useState } from 'react';
import type { KeyView, NewKeySecret } from '../../../preload/contract';
import { EmptyState, ErrorBanner, Loading, ProgressBar } from '../components/ui';
import { formatDate, formatNumber, formatRelative } from '../format';
import { errorMessage } from '../ipc';
import { useKeysStore, visibleKeys, type KeySortColumn } from '../stores/keysStore';
import type { ResolvedTheme } from '../theme';
import { KeyFormDialog } from './KeyForm';
import { RevokeDialog, RotateDialog, SecretDialog } from './KeyDialogs';
import { KeyUsagePanel } from './KeyUsagePanel';

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; key: KeyView }
  | { kind: 'revoke'; key: KeyView }
  | { kind: 'rotate'; key: KeyView }
  | { kind: 'secret'; created: NewKeySecret }
  | null;

const COLUMNS: { id: KeySortColumn; label: string; className?: string }[] = [
  { id: 'name', label: 'Name' },
  { id: 'status', label: 'Status' },
  { id: 'rateLimit', label: 'Rate limit', className: 'num' },
  { id: 'usageThisHour', label: 'This hour' },
  { id: 'createdAt', label: 'Created' },
  { id: 'lastUsed', label: 'Last used' },
];

export function KeysView({ theme }: { theme: ResolvedTheme }) {
  const { keys, loaded, loading, error, query, sort, load, setQuery, sortBy, create, update, rotate, revoke } = useKeysStore();
  const [modal, setModal] = useState<Modal>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const rows = useMemo(() => visibleKeys(keys, query, sort), [keys, query, sort]);
  const selectedKey = keys.find((k) => k.id === selected) ?? null;

  useEffect(() => {
    void load();
  }, [load]);

  async function toggleActive(k: KeyView) {
    setActionError(null);
    try {
      await update(k.id, { isActive: !k.isActive });
    } catch (err) {
      setActionError(errorMessage(err));
    }
  }

  const header = (
    <div className="toolbar">
      <input type="search" className="search" placeholder="Search keys" aria-label="Search keys" value={query} onChange={(e) => setQuery(e.target.value)} />
      <span className="muted small grow">{loaded && keys.length > 0 ? `${rows.length} of ${keys.length} keys` : ''}</span>
      <button type="button" className="button button-primary" onClick={() => setModal({ kind: 'create' })}>
        New key
      </button>
    </div>
  );

  let body;
  if (!loaded && loading) body = <Loading label="Loading keys…" />;
  else if (!loaded && error) body = <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner>;
  else if (keys.length === 0)
    body = (
      <EmptyState
        title="No access keys yet"
        action={
          <button type="button" className="button button-primary" onClick={() => setModal({ kind: 'create' })}>
            Create your first key
          </button>
        }
      >
        Clients (scripts, other apps, browsers) present an access key to the proxy. Each key has its own rate limit, scopes and usage.
      </EmptyState>
    );
  else if (rows.length === 0) body = <EmptyState title="No key matches">Nothing matches “{query}”.</EmptyState>;
  else
    body = (
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
            {rows.map((k) => (
              <tr key={k.id} className={k.id === selected ? 'selected' : ''} onClick={() => setSelected(k.id === selected ? null : k.id)}>
                <td>
                  <div className="key-name">{k.name}</div>
                  <div className="muted small">{k.scopes.join(' · ')}</div>
                </td>
                <td>
                  <span className={`badge badge-${k.status}`}>{k.status === 'active' ? 'Active' : k.status === 'disabled' ? 'Disabled' : 'Expired'}</span>
                </td>
                <td className="num">{formatNumber(k.rateLimit)}/h</td>
                <td className="usage-cell">
                  <ProgressBar value={k.usageThisHour} max={k.rateLimit} label={`${k.name} usage this hour`} tone={k.usageThisHour >= k.rateLimit ? 'danger' : k.usageThisHour / k.rateLimit > 0.8 ? 'warn' : 'accent'} />
                  <span className="num small">{formatNumber(k.usageThisHour)}</span>
                </td>
                <td className="num">{formatDate(k.createdAt)}</td>
                <td className="num">{formatRelative(k.lastUsed)}</td>
                <td className="actions-col" onClick={(e) => e.stopPropagation()}>
                  <button type="button" className="button button-small" onClick={() => setModal({ kind: 'edit', key: k })}>
                    Edit
                  </button>
                  <button type="button" className="button button-small" onClick={() => void toggleActive(k)}>
                    {k.isActive ? 'Disable' : 'Enable'}
                  </button>
                  <button type="button" className="button button-small" onClick={() => setModal({ kind: 'rotate', key: k })}>
                    Rotate
                  </button>
                  <button type="button" className="button button-small button-danger-outline" onClick={() => setModal({ kind: 'revoke', key: k })}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <div className="stack-lg">
      {header}
      {actionError && <ErrorBanner>{actionError}</ErrorBanner>}
      {loaded && error && <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner>}
      {body}
      {selectedKey && <KeyUsagePanel keyView={selectedKey} theme={theme} />}

      {modal?.kind === 'create' && (
        <KeyFormDialog
          onCancel={() => setModal(null)}
          onSubmit={async (req) => {
            const created = await create(req);
            setModal({ kind: 'secret', created });
          }}
        />
      )}
      {modal?.kind === 'edit' && (
        <KeyFormDialog
          existing={modal.key}
          onCancel={() => setModal(null)}
          onSubmit={async (req) => {
            await update(modal.key.id, req);
            setModal(null);
          }}
        />
      )}
      {modal?.kind === 'rotate' && (
        <RotateDialog
          keyView={modal.key}
          onCancel={() => setModal(null)}
          onRotate={async () => {
            const created = await rotate(modal.key.id);
            setModal({ kind: 'secret', created });
          }}
        />
      )}
      {modal?.kind === 'revoke' && (
        <RevokeDialog
          keyView={modal.key}
          onCancel={() => setModal(null)}
          onRevoke={async () => {
            await revoke(modal.key.id);
            setModal(null);
          }}
        />
      )}
      {modal?.kind === 'secret' && <SecretDialog created={modal.created} onDone={() => setModal(null)} />}
    </div>
  );
}
