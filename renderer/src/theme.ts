// Applies the theme setting to <html data-theme> and resolves 'system' through
// prefers-color-scheme, so CSS variables and charts agree on light or dark.
import { useEffect, useState } from 'react';
import type { ThemeSetting } from '../../preload/contract';

export type ResolvedTheme = 'light' | 'dark';

function systemTheme(): ResolvedTheme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function applyTheme(setting: ThemeSetting): void {
  document.documentElement.dataset.theme = setting;
}

/** The theme actually shown; re-renders when the setting or the OS preference changes. */
export function useResolvedTheme(setting: ThemeSetting): ResolvedTheme {
  const [sys, setSys] = useState<ResolvedTheme>(systemTheme);
  useEffect(() => {
    if (typeof matchMedia !== 'function') return;
    const mq = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setSys(systemTheme());
    mq.addEventListener?.('change', onChange);
    return () => mq.removeEventListener?.('change', onChange);
  }, []);
  return setting === 'system' ? sys : setting;
}

/** Reads a CSS custom property (chart colours follow the theme's variables). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}
