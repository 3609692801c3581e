// App-wide status (proxy state, upstream reachability, cloud summary, secret backend): loaded once,
// then replaced by pushed `status` events. Drives the nav badges and the Login view.
import { create } from 'zustand';
import type { AppStatus } from '../../../preload/contract';
import { call, errorMessage } from '../ipc';

interface StatusState {
  status: AppStatus | null;
  error: string | null;
  busy: boolean;
  load(): Promise<void>;
  apply(status: AppStatus): void;
  setPaused(paused: boolean): Promise<void>;
}

export const useStatusStore = create<StatusState>((set) => ({
  status: null,
  error: null,
  busy: false,
  async load() {
    try {
      set({ status: await call('status:get'), error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  apply(status) {
    set({ status, error: null });
  },
  async setPaused(paused) {
    set({ busy: true });
    try {
      const proxy = await call(paused ? 'proxy:pause' : 'proxy:resume');
      set((s) => ({ status: s.status ? { ...s.status, proxy } : s.status, error: null }));
    } catch (err) {
      set({ error: errorMessage(err) });
    } finally {
      set({ busy: false });
    }
  },
}));
