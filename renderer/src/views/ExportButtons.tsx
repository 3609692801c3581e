// Export as CSV / JSON: main opens its save dialog and writes the file; this says where it went.
import type { ExportFormat } from '../../../preload/contract';
import { useAccountabilityStore } from '../stores/accountabilityStore';

export function ExportButtons({ onExport, label }: { onExport: (format: ExportFormat) => void; label: string }) {
  const busy = useAccountabilityStore((s) => s.exporting);
  return (
    <div className="toolbar" role="group" aria-label={label}>
      <button type="button" className="button button-small" disabled={busy} onClick={() => onExport('csv')}>
        Export CSV
      </button>
      <button type="button" className="button button-small" disabled={busy} onClick={() => onExport('json')}>
        Export JSON
      </button>
    </div>
  );
}

export function ExportNotice() {
  const exported = useAccountabilityStore((s) => s.exported);
  if (!exported) return null;
  if (!exported.ok) {
    return (
      <div className="banner banner-error" role="alert">
        <span>{exported.message}</span>
      </div>
    );
  }
  const { result } = exported;
  return (
    <div className="banner banner-ok" role="status">
      <span>
        {result.saved ? (
          <>
            Saved {result.rows} {result.rows === 1 ? 'row' : 'rows'} to <span className="mono">{result.path}</span>
          </>
        ) : (
          'Export cancelled; nothing was written.'
        )}
      </span>
    </div>
  );
}
