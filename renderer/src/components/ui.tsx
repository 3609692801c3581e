// Small presentational pieces used across views: status dots, progress bars, banners, empty/error
// states, form fields with their validation message, switches, a segmented control, copy buttons.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { AlertIcon, CheckIcon, CopyIcon, InfoIcon } from './icons';

export function StatusDot({ state, label }: { state: 'up' | 'down' | 'unknown' | 'warn'; label?: string }) {
  return <span className={`dot dot-${state}`} role="img" aria-label={label ?? state} />;
}

export function ProgressBar({ value, max, label, tone = 'accent' }: { value: number; max: number; label: string; tone?: 'accent' | 'warn' | 'danger' }) {
  const pct = max > 0 ? Math.min(100, Math.max(0, (value / max) * 100)) : 0;
  return (
    <div className={`bar bar-${tone}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
      <div className="bar-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-title">{title}</div>
      {children && <div className="empty-text">{children}</div>}
      {action && <div className="empty-action">{action}</div>}
    </div>
  );
}

export function ErrorBanner({ children, onRetry }: { children: ReactNode; onRetry?: () => void }) {
  return (
    <div className="banner banner-error" role="alert">
      <span>{children}</span>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode;
}

export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const msgId = `${id}-msg`;
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': error || hint ? msgId : undefined })}
      {/* The message line always takes its height, so validation never shifts the layout. */}
      <div id={msgId} className={error ? 'field-error' : 'field-hint'}>
        {error ?? hint ?? '\u00a0'}
      </div>
    </div>
  );
}

export function Segmented<T extends string>({ value, options, onChange, label }: { value: T; options: { value: T; label: string }[]; onChange: (v: T) => void; label: string }) {
  return (
    <div className="segmented" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={value === o.value}
          className={value === o.value ? 'selected' : ''}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card${className ? ` ${className}` : ''}`}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h3>{title}</h3>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export type Tone = 'info' | 'ok' | 'warn' | 'error';

/** A notice across a view: an icon, a bold first line, details, and actions on the right. */
export function Banner({ tone, title, children, actions, testId }: { tone: Tone; title: ReactNode; children?: ReactNode; actions?: ReactNode; testId?: string }) {
  const Icon = tone === 'ok' ? CheckIcon : tone === 'info' ? InfoIcon : AlertIcon;
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'} data-testid={testId}>
      <span className="notice-icon">
        <Icon />
      </span>
      <div className="notice-body">
        <div className="notice-title">{title}</div>
        {children && <div className="notice-text">{children}</div>}
      </div>
      {actions && <div className="notice-actions">{actions}</div>}
    </div>
  );
}

/** Writes to the clipboard; resolves false when the page may not (the caller says so). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A Copy button that says "Copied" for a moment (or that copying failed). */
export function CopyButton({ text, label = 'Copy', className = 'button', ariaLabel, autoFocus }: { text: string; label?: string; className?: string; ariaLabel?: string; autoFocus?: boolean }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return (
    <button
      type="button"
      className={className}
      aria-label={ariaLabel}
      data-autofocus={autoFocus ? '' : undefined}
      onClick={() =>
        void copyText(text).then((ok) => {
          setState(ok ? 'copied' : 'failed');
          if (timer.current) clearTimeout(timer.current);
          timer.current = setTimeout(() => setState('idle'), 2000);
        })
      }
    >
      {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}

/** A value on one line (monospace, selectable) with a copy button. */
export function CopyField({ value, label, copyLabel = 'Copy', autoFocus }: { value: string; label: string; copyLabel?: string; autoFocus?: boolean }) {
  return (
    <div className="copy-field">
      <input className="mono" readOnly value={value} aria-label={label} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
      <CopyButton text={value} label={copyLabel} ariaLabel={`${copyLabel}: ${label.toLowerCase()}`} autoFocus={autoFocus} className="button button-primary" />
    </div>
  );
}

/**
 * A labelled on/off switch (a checkbox underneath, so forms and tests treat it as one). It flips at
 * once; when `onChange` resolves false (the save failed) it flips back.
 */
export function Switch({ checked, onChange, label, hint, disabled }: { checked: boolean; onChange: (v: boolean) => Promise<boolean> | void; label: string; hint?: ReactNode; disabled?: boolean }) {
  const id = useId();
  const [local, setLocal] = useState(checked);
  useEffect(() => setLocal(checked), [checked]);
  const flip = (v: boolean) => {
    setLocal(v);
    void Promise.resolve(onChange(v)).then((ok) => ok === false && setLocal(checked));
  };
  return (
    <div className="switch-row">
      <div className="switch-text">
        <label htmlFor={id}>{label}</label>
        {hint && <div className="field-hint">{hint}</div>}
      </div>
      <input id={id} type="checkbox" role="switch" className="switch" checked={local} disabled={disabled} onChange={(e) => flip(e.target.checked)} />
    </div>
  );
}
