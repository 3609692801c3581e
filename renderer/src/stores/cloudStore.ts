// Comfy Cloud login state: the status, an in-flight validation, the retry countdown fed by
// `cloud:retry` events, and the last error with its code so the view can word it precisely.
import { create } from 'zustand';
import type { CloudLoginRequest, CloudStatus, ErrorCode } from '../../../preload/contract';
import { call, IpcError } from '../ipc';

export interface CloudError {
  code: ErrorCode;
  message: string;
  retryAfter?: number;
}

interface CloudState {
  status: CloudStatus | null;
  busy: boolean;
  /** Set while a 429/5xx is being retried; `until` is epoch ms. */
  retry: { attempt: number; until: number } | null;
  error: CloudError | null;
  load(): Promise<void>;
  login(req: CloudLoginRequest): Promise<boolean>;
  logout(): Promise<void>;
  /** Re-reads account and credits from Comfy Cloud. */
  refresh(): Promise<void>;
  onRetry(attempt: number, delayMs: number): void;
  apply(status: CloudStatus): void;
}

function toCloudError(err: unknown): CloudError {
  if (err instanceof IpcError) return err.retryAfter === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, retryAfter: err.retryAfter };
  return { code: 'internal', message: err instanceof Error ? err.message : 'Something went wrong' };
}

export const useCloudStore = create<CloudState>((set) => ({
  status: null,
  busy: false,
  retry: null,
  error: null,
  async load() {
    try {
      set({ status: await call('cloud:status') });
    } catch (err) {
      set({ error: toCloudError(err) });
    }
  },
  async login(req) {
    set({ busy: true, error: null, retry: null });
    try {
      set({ status: await call('cloud:login', req) });
      return true;
    } catch (err) {
      set({ error: toCloudError(err) });
      return false;
    } finally {
      set({ busy: false, retry: null });
    }
  },
  async logout() {
    set({ busy: true, error: null });
    try {
      set({ status: await call('cloud:logout') });
    } catch (err) {
      set({ error: toCloudError(err) });
    } finally {
      set({ busy: false });
    }
  },
  async refresh() {
    set({ busy: true, error: null });
    try {
      set({ status: await call('cloud:refresh') });
    } catch (err) {
      set({ error: toCloudError(err) });
    } finally {
      set({ busy: false });
    }
  },
  onRetry(attempt, delayMs) {
    set({ retry: { attempt, until: Date.now() + delayMs } });
  },
  apply(status) {
    set({ status });
  },
}));
