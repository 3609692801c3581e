// Access keys: search, the keys table with a row menu, the selected key's usage, browser sessions,
// and the dialogs of a key's life (create/edit, show-once secret, rotate, revoke).
import { useEffect, useMemo, useState } from 'react';
import type { KeyView, NewKeySecret } from '../../../preload/contract';
import { EmptyState, ErrorBanner, Loading } from '../components/ui';
import { errorMessage } from '../ipc';
import { useKeysStore, visibleKeys } from '../stores/keysStore';
import { useStatusStore } from '../stores/statusStore';
import { useUiStore } from '../stores/uiStore';
import type { ResolvedTheme } from '../theme';
import { KeyFormDialog } from './KeyForm';
import { RevokeDialog, RotateDialog, SecretDialog } from './KeyDialogs';
import { KeysTable, type KeyAction } from './KeysTable';
import { KeyUsagePanel } from './KeyUsagePanel';
import { BrowserSessionsCard } from './SessionsCard';
import { CloudPermissionNotice } from './CloudPermissionNotice';

type Modal =
  | { kind: 'create'; from?: KeyView }
  | { kind: 'edit'; key: KeyView }
  | { kind: 'revoke'; key: KeyView }
  | { kind: 'rotate'; key: KeyView }
  | { kind: 'secret'; created: NewKeySecret }
  | null;

export function KeysView({ theme }: { theme: ResolvedTheme }) {
  const { keys, loaded, loading, error, query, sort, load, setQuery, sortBy, create, update, rotate, revoke } = useKeysStore();
  const proxyUrl = useStatusStore((s) => s.status?.proxy.url ?? null);
  const [modal, setModal] = useState<Modal>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const rows = useMemo(() => visibleKeys(keys, query, sort), [keys, query, sort]);
  const selectedKey = keys.find((k) => k.id === selected) ?? null;

  useEffect(() => {
    void load();
    // Home's "Create a key" lands here with the form open.
    if (useUiStore.getState().takeIntent() === 'create-key') setModal({ kind: 'create' });
  }, [load]);

  async function setActive(k: KeyView, isActive: boolean) {
    setActionError(null);
    try {
      await update(k.id, { isActive });
    } catch (err) {
      setActionError(errorMessage(err));
    }
  }

  function act(k: KeyView, a: KeyAction) {
    if (a === 'edit') setModal({ kind: 'edit', key: k });
    else if (a === 'disable' || a === 'enable') void setActive(k, a === 'enable');
    else if (a === 'rotate') setModal({ kind: 'rotate', key: k });
    else if (a === 'revoke') setModal({ kind: 'revoke', key: k });
    else setModal({ kind: 'create', from: k });
  }

  const active = keys.filter((k) => k.status === 'active').length;
  const header = (
    <div className="toolbar">
      <input type="search" className="search" placeholder="Search by name, prefix or status" aria-label="Search keys" value={query} onChange={(e) => setQuery(e.target.value)} />
      <span className="muted small grow">
        {loaded && keys.length > 0 ? (query ? `${rows.length} of ${keys.length} keys` : `${keys.length} ${keys.length === 1 ? 'key' : 'keys'} · ${active} active`) : ''}
      </span>
      <button type="button" className="button button-primary" onClick={() => setModal({ kind: 'create' })}>
        New access key
      </button>
    </div>
  );

  let body;
  if (!loaded && loading) body = <Loading label="Loading keys…" />;
  else if (!loaded && error) body = <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner>;
  else if (keys.length === 0)
    body = (
      <div className="card">
        <EmptyState
          title="No access keys yet"
          action={
            <button type="button" className="button button-primary" onClick={() => setModal({ kind: 'create' })}>
              Create your first access key
            </button>
          }
        >
          Give each person or script their own key. Each key has its own access level and limits, sees only its own jobs, and can be disabled or revoked at any time.
        </EmptyState>
      </div>
    );
  else if (rows.length === 0) body = <EmptyState title="No key matches">Nothing matches “{query}”.</EmptyState>;
  else body = <KeysTable rows={rows} sort={sort} sortBy={sortBy} selected={selected} select={setSelected} act={act} />;

  return (
    <div className="stack-lg">
      {header}
      {actionError && <ErrorBanner>{actionError}</ErrorBanner>}
      {loaded && error && <ErrorBanner onRetry={() => void load()}>{error}</ErrorBanner>}
      {loaded && <CloudPermissionNotice keys={keys} />}
      {body}
      {selectedKey && <KeyUsagePanel keyView={selectedKey} theme={theme} />}
      {loaded && keys.length > 0 && <BrowserSessionsCard />}

      {modal?.kind === 'create' && (
        <KeyFormDialog
          template={modal.from}
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
          onDisable={
            modal.key.isActive
              ? async () => {
                  await update(modal.key.id, { isActive: false });
                  setModal(null);
                }
              : undefined
          }
          onRevoke={async () => {
            await revoke(modal.key.id);
            setModal(null);
          }}
        />
      )}
      {modal?.kind === 'secret' && <SecretDialog created={modal.created} proxyUrl={proxyUrl} onDone={() => setModal(null)} />}
    </div>
  );
}
