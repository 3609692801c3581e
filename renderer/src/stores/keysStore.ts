// Access keys: the list (with search and sort held here so they survive view switches), the
// mutations, and per-key usage loaded on demand. Secrets returned by create/rotate are handed to
// the caller and never stored here.
import { create } from 'zustand';
import type { KeyCreateRequest, KeyPatch, KeyUsageView, KeyView, NewKeySecret } from '../../../preload/contract';
import { call, errorMessage } from '../ipc';
import { accessLevel } from '../keyWords';

export type KeySortColumn = 'name' | 'createdAt' | 'lastUsed' | 'jobsThisHour' | 'queued' | 'expiresAt' | 'status' | 'access';

interface KeysState {
  keys: KeyView[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  query: string;
  sort: { column: KeySortColumn; direction: 'asc' | 'desc' };
  usage: Record<string, KeyUsageView>;
  load(): Promise<void>;
  setQuery(query: string): void;
  sortBy(column: KeySortColumn): void;
  create(req: KeyCreateRequest): Promise<NewKeySecret>;
  update(id: string, patch: KeyPatch): Promise<KeyView>;
  rotate(id: string): Promise<NewKeySecret>;
  revoke(id: string): Promise<void>;
  loadUsage(id: string): Promise<void>;
}

function upsert(keys: KeyView[], key: KeyView): KeyView[] {
  const i = keys.findIndex((k) => k.id === key.id);
  if (i < 0) return [key, ...keys];
  const next = keys.slice();
  next[i] = key;
  return next;
}

export const useKeysStore = create<KeysState>((set, get) => ({
  keys: [],
  loaded: false,
  loading: false,
  error: null,
  query: '',
  sort: { column: 'createdAt', direction: 'desc' },
  usage: {},
  async load() {
    set({ loading: true });
    try {
      set({ keys: await call('keys:list'), loaded: true, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ loading: false });
    }
  },
  setQuery(query) {
    set({ query });
  },
  sortBy(column) {
    const { sort } = get();
    set({ sort: { column, direction: sort.column === column && sort.direction === 'asc' ? 'desc' : 'asc' } });
  },
  async create(req) {
    const created = await call('keys:create', req);
    set((s) => ({ keys: upsert(s.keys, created.key) }));
    return created;
  },
  async update(id, patch) {
    const key = await call('keys:update', { id, patch });
    set((s) => ({ keys: upsert(s.keys, key) }));
    return key;
  },
  async rotate(id) {
    const rotated = await call('keys:rotate', { id });
    set((s) => ({ keys: upsert(s.keys, rotated.key) }));
    return rotated;
  },
  async revoke(id) {
    await call('keys:revoke', { id });
    await get().load();
  },
  async loadUsage(id) {
    try {
      const u = await call('keys:usage', { id, days: 14 });
      set((s) => ({ usage: { ...s.usage, [id]: u } }));
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
}));

const STATUS_ORDER = { active: 0, expired: 1, disabled: 2, revoked: 3 } as const;
const LEVEL_ORDER = { metrics: 0, read: 1, generate: 2, admin: 3 } as const;

/**
 * The visible rows: filtered by the search box (name, prefix, id, access level, status), sorted by the
 * chosen column. Revoked keys always come last: they are history, not something to act on.
 */
export function visibleKeys(keys: KeyView[], query: string, sort: KeysState['sort']): KeyView[] {
  const q = query.trim().toLowerCase();
  const rows = q
    ? keys.filter((k) => [k.name, k.prefix ?? '', k.id, accessLevel(k.scopes), k.status].some((f) => f.toLowerCase().includes(q)))
    : keys.slice();
  const dir = sort.direction === 'asc' ? 1 : -1;
  const value = (k: KeyView): string | number => {
    switch (sort.column) {
      case 'name':
        return k.name.toLowerCase();
      case 'lastUsed':
        return k.lastUsed ?? -1;
      case 'jobsThisHour':
        return k.jobsThisHour / k.rateLimit;
      case 'queued':
        return k.queued / k.maxQueued;
      case 'expiresAt':
        return k.expiresAt ?? Number.MAX_SAFE_INTEGER;
      case 'status':
        return STATUS_ORDER[k.status];
      case 'access':
        return LEVEL_ORDER[accessLevel(k.scopes)];
      default:
        return k.createdAt;
    }
  };
  return rows.sort((a, b) => {
    const ra = a.status === 'revoked' ? 1 : 0;
    const rb = b.status === 'revoked' ? 1 : 0;
    if (ra !== rb) return ra - rb;
    const va = value(a);
    const vb = value(b);
    return (va < vb ? -1 : va > vb ? 1 : 0) * dir;
  });
}
