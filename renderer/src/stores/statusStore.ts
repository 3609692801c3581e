// App-wide status (proxy state and its reason, upstream health and exposure, cloud summary, secret
// backend, sessions, checklist, notices): loaded once, then replaced by pushed `status` events. Drives
// Home, the nav and the ComfyUI connection view.
import { create } from 'zustand';
import type { AppStatus } from '../../../preload/contract';
import { call, errorMessage } from '../ipc';

interface StatusState {
  status: AppStatus | null;
  error: string | null;
  busy: boolean;
  load(): Promise<void>;
  apply(status: AppStatus): void;
  /** Pause (true) or resume/retry (false) the proxy. */
  setPaused(paused: boolean): Promise<void>;
  dismissSetup(): Promise<void>;
  dismissNotice(id: string): Promise<void>;
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
  async dismissSetup() {
    try {
      set({ status: await call('setup:dismiss') });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async dismissNotice(id) {
    try {
      set({ status: await call('notice:dismiss', { id }) });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
}));

/** Opens ComfyUI through the proxy in the system browser; resolves with an error sentence or null. */
export async function openComfyUi(): Promise<string | null> {
  try {
    await call('shell:openExternal', { target: 'proxy-ui' });
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}
