// ComfyUI connection's actions and their last outcome: check every server, add or change an address, remove
// one, make one the primary, save the ComfyUI key. Each outcome lists every server's answer, so the Check card
// shows what worked where; list changes refresh the app status (the list lives in it).
import { create } from 'zustand';
import type { AppStatus, UpstreamCheck } from '../../../preload/contract';
import { call, errorMessage, fieldErrors } from '../ipc';
import { useStatusStore } from './statusStore';

export type ConnectionAction = 'check' | 'add' | 'key' | 'remove' | 'primary';

export interface ConnectionOutcome {
  action: 'check' | 'add' | 'key';
  checks: UpstreamCheck[];
  /** null for a plain check (nothing is saved by it). */
  saved: boolean | null;
  message: string | null;
}

interface ConnectionState {
  busy: ConnectionAction | null;
  outcome: ConnectionOutcome | null;
  error: string | null;
  fieldErrors: Record<string, string>;
  check(): Promise<void>;
  /** Resolves true when the address was saved. */
  add(url: string, replace?: string): Promise<boolean>;
  remove(url: string): Promise<boolean>;
  makePrimary(url: string): Promise<boolean>;
  saveKey(key: string | null, remember: boolean): Promise<boolean>;
}

export const useConnectionStore = create<ConnectionState>((set) => {
  /** Runs one action; a thrown error becomes the banner and the field messages. */
  async function run<T>(busy: ConnectionAction, work: () => Promise<T>): Promise<T | null> {
    set({ busy, error: null, fieldErrors: {} });
    try {
      return await work();
    } catch (err) {
      set({ error: errorMessage(err), fieldErrors: fieldErrors(err) });
      return null;
    } finally {
      set({ busy: null });
    }
  }
  const applyStatus = (status: AppStatus | null): boolean => {
    if (status) useStatusStore.getState().apply(status);
    return status !== null;
  };

  return {
    busy: null,
    outcome: null,
    error: null,
    fieldErrors: {},
    async check() {
      const checks = await run('check', () => call('upstreams:check'));
      if (checks) set({ outcome: { action: 'check', checks, saved: null, message: null } });
    },
    async add(url, replace) {
      const probe = await run('add', () => call('upstreams:add', replace === undefined ? { url } : { url, replace }));
      if (!probe) return false;
      const { saved, ...check } = probe;
      set({ outcome: { action: 'add', checks: [check], saved, message: check.message } });
      if (saved) void useStatusStore.getState().load();
      return saved;
    },
    async remove(url) {
      return applyStatus(await run('remove', () => call('upstreams:remove', { url })));
    },
    async makePrimary(url) {
      return applyStatus(await run('primary', () => call('upstreams:makePrimary', { url })));
    },
    async saveKey(key, remember) {
      const result = await run('key', () => call('upstream:saveKey', { key, remember }));
      if (!result) return false;
      set({ outcome: { action: 'key', checks: result.checks, saved: result.saved, message: result.message } });
      if (result.saved) void useStatusStore.getState().load();
      return result.saved;
    },
  };
});
