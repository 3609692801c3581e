// Free-form labels on a key (owner, project…): rows of name/value, stored as the key's metadata.
export interface MetaRow {
  id: number;
  k: string;
  v: string;
}

export function MetadataRows({ rows, onChange, error }: { rows: MetaRow[]; onChange: (rows: MetaRow[]) => void; error?: string }) {
  return (
    <fieldset className="metadata">
      <legend>Labels</legend>
      {rows.length === 0 && <p className="muted small">Optional notes for yourself, e.g. owner or project. Scripts never see them.</p>}
      {rows.map((r) => (
        <div key={r.id} className="meta-row">
          <input aria-label="Label name" placeholder="name" value={r.k} onChange={(e) => onChange(rows.map((x) => (x.id === r.id ? { ...x, k: e.target.value } : x)))} />
          <input aria-label="Label value" placeholder="value" value={r.v} onChange={(e) => onChange(rows.map((x) => (x.id === r.id ? { ...x, v: e.target.value } : x)))} />
          <button type="button" className="icon-button" aria-label={`Remove label ${r.k || 'row'}`} onClick={() => onChange(rows.filter((x) => x.id !== r.id))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="button button-small" onClick={() => onChange([...rows, { id: Date.now() + rows.length, k: '', v: '' }])}>
        Add label
      </button>
      <div className={error ? 'field-error' : 'field-hint'}>{error ?? '\u00a0'}</div>
    </fieldset>
  );
}
