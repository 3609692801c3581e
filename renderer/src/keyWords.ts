// The vocabulary of access keys, in one place so every view says the same thing: access levels, status
// words, limits and expiry in plain language.
import type { KeyStatus, KeyView, Scope } from '../../preload/contract';
import { formatNumber, formatRelative } from './format';

export type AccessLevel = 'read' | 'generate' | 'admin' | 'metrics';

export const ACCESS_LEVELS: { value: AccessLevel; label: string; hint: string }[] = [
  { value: 'read', label: 'Read', hint: 'See the queue, history and images. Cannot queue jobs.' },
  { value: 'generate', label: 'Generate', hint: 'Use ComfyUI fully: queue jobs, upload images, cancel their own jobs. Sees only their own work.' },
  { value: 'admin', label: 'Admin', hint: 'Everything, including managing keys and installing custom nodes. Keep this one for yourself.' },
  { value: 'metrics', label: 'Metrics', hint: 'Only GET /metrics, for a Prometheus scraper. Cannot see ComfyUI or anyone’s work.' },
];

/** One level from a key's scopes: the highest it holds. */
export function accessLevel(scopes: readonly Scope[]): AccessLevel {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('generate')) return 'generate';
  if (scopes.includes('metrics') && !scopes.includes('read')) return 'metrics';
  return 'read';
}

export function accessLabel(scopes: readonly Scope[]): string {
  const level = accessLevel(scopes);
  return ACCESS_LEVELS.find((l) => l.value === level)?.label ?? level;
}

export const STATUS_WORDS: Record<KeyStatus, string> = {
  active: 'Active',
  disabled: 'Disabled',
  expired: 'Expired',
  revoked: 'Revoked',
};

export function expiryText(k: Pick<KeyView, 'expiresAt'>, now = Date.now()): string {
  if (k.expiresAt === null) return 'Never';
  return k.expiresAt <= now ? `Expired ${formatRelative(k.expiresAt, now)}` : formatRelative(k.expiresAt, now).replace(/^in /, 'In ');
}

export function limitsSummary(k: Pick<KeyView, 'rateLimit' | 'maxQueued' | 'requestsPerMinute'>): string {
  return `${formatNumber(k.rateLimit)} jobs per hour · ${formatNumber(k.maxQueued)} in the queue at once · ${formatNumber(k.requestsPerMinute)} requests per minute`;
}

/** "comfy_Ab3x…" for lists; "—" for keys made before prefixes were kept. */
export function prefixText(k: Pick<KeyView, 'prefix'>): string {
  return k.prefix ? `${k.prefix}…` : '—';
}
