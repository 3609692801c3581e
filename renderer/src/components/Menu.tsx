// A small action menu behind a "⋯" button: fixed-position popover (never clipped by a scrolling
// table), arrow keys move, Esc and a click outside close it, focus returns to the button.
import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { MoreIcon } from './icons';

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
  disabled?: boolean;
  /** Shown under the label, e.g. why an item is disabled. */
  hint?: string;
  /** Draws a separator above this item. */
  separated?: boolean;
}

interface MenuProps {
  label: string;
  items: MenuItem[];
  /** Custom trigger content; the ⋯ icon by default. */
  trigger?: ReactNode;
  triggerClassName?: string;
}

export function Menu({ label, items, trigger, triggerClassName = 'icon-button' }: MenuProps) {
  const [open, setOpen] = useState(false);
  const [pos, setPos] = useState<{ top: number; left: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const id = useId();

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  useLayoutEffect(() => {
    if (!open || !button.current || !list.current) return;
    const b = button.current.getBoundingClientRect();
    const w = list.current.offsetWidth;
    const h = list.current.offsetHeight;
    // Right-aligned under the button; flipped above when it would leave the window.
    const top = b.bottom + 4 + h > window.innerHeight ? Math.max(8, b.top - 4 - h) : b.bottom + 4;
    setPos({ top, left: Math.max(8, Math.min(b.right - w, window.innerWidth - w - 8)) });
    list.current.querySelector<HTMLElement>('[role="menuitem"]:not([disabled])')?.focus();
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!list.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) close(false);
    };
    const onScroll = () => close(false);
    // Esc closes it even when focus is elsewhere (e.g. the user clicked the page behind it).
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onDown);
    window.addEventListener('resize', onScroll);
    document.addEventListener('scroll', onScroll, true);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onDown);
      window.removeEventListener('resize', onScroll);
      document.removeEventListener('scroll', onScroll, true);
    };
  }, [open]);

  function onKeyDown(e: React.KeyboardEvent) {
    const entries = [...(list.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([disabled])') ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = entries[(at + (e.key === 'ArrowDown' ? 1 : entries.length - 1)) % entries.length];
      next?.focus();
    }
  }

  return (
    <>
      <button
        ref={button}
        type="button"
        className={triggerClassName}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        onClick={(e) => {
          e.stopPropagation();
          setOpen((o) => !o);
        }}
      >
        {trigger ?? <MoreIcon />}
      </button>
      {open && (
        <div
          ref={list}
          id={id}
          role="menu"
          aria-label={label}
          className="menu"
          style={pos ? { top: pos.top, left: pos.left } : { visibility: 'hidden' }}
          onKeyDown={onKeyDown}
          onClick={(e) => e.stopPropagation()}
        >
          {items.map((item) => (
            <div key={item.label} className={item.separated ? 'menu-group separated' : 'menu-group'}>
              <button
                type="button"
                role="menuitem"
                className={item.danger ? 'menu-item danger' : 'menu-item'}
                disabled={item.disabled}
                onClick={() => {
                  close();
                  item.onSelect();
                }}
              >
                <span>{item.label}</span>
                {item.hint && <span className="menu-hint">{item.hint}</span>}
              </button>
            </div>
          ))}
        </div>
      )}
    </>
  );
}
