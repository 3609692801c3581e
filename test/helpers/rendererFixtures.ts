// Plain data in the contract's shapes for renderer component tests: an AppStatus, a KeyView, a health
// sample, each with overrides.
import type { AppStatus, CloudStatus, HealthSample, IpcResult, KeyView } from '../../preload/contract';

export const ok = <T,>(value: T): IpcResult<T> => ({ ok: true, value });
export const fail = (code: 'invalid_request' | 'unavailable' | 'conflict' | 'unauthorized' | 'offline' | 'not_found', message: string, issues?: { path: string; message: string }[]): IpcResult<never> => ({
  ok: false,
  error: issues ? { code, message, issues } : { code, message },
});

export const loggedOutCloud: CloudStatus = {
  loggedIn: false,
  environment: 'production',
  baseUrl: 'https://cloud.comfy.org/developer/api/v1',
  keyHint: null,
  account: null,
  credits: null,
  checkedAt: null,
};

export function appStatus(over: Partial<AppStatus> = {}): AppStatus {
  return {
    proxy: { state: 'running', url: 'http://127.0.0.1:8189', port: 8189, error: null, version: '1.0.0' },
    upstream: { url: 'http://127.0.0.1:8188', urls: ['http://127.0.0.1:8188'], keyHint: null, keyRemembered: false, reachable: true, latencyMs: 4, error: null, loopback: true, remote: [] },
    cloud: loggedOutCloud,
    secretBackend: { kind: 'keychain', persistent: true, reason: 'OS keychain (Secret Service)' },
    warnings: [],
    sessions: 0,
    keys: { total: 0, active: 0 },
    setup: { upstreamConnected: true, keyCreated: false, comfyOpened: false, dismissed: false },
    notices: [],
    ...over,
  };
}

export const T0 = Date.UTC(2026, 0, 1, 12);

export function health(over: Partial<HealthSample> = {}): HealthSample {
  return {
    at: T0,
    url: 'http://127.0.0.1:8188',
    up: true,
    latencyMs: 12,
    queueRunning: 1,
    queuePending: 3,
    device: { name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda' },
    vramTotal: 24 * 2 ** 30,
    vramFree: 20 * 2 ** 30,
    comfyuiVersion: '0.3.66',
    error: null,
    ...over,
  };
}

export function keyView(over: Partial<KeyView> = {}): KeyView {
  return {
    id: 'id-1',
    name: 'render-bot',
    prefix: 'comfy_Ab3x',
    createdAt: Date.UTC(2026, 0, 1),
    lastUsed: null,
    rateLimit: 100,
    requestsPerMinute: 600,
    maxQueued: 100,
    comfyUser: null,
    cloud: false,
    cloudJobsPerDay: null,
    cloudJobsToday: 0,
    gpuSecondsPerDay: null,
    share: 1,
    isActive: true,
    expiresAt: null,
    revokedAt: null,
    scopes: ['generate'],
    metadata: {},
    jobsThisHour: 0,
    queued: 0,
    status: 'active',
    ...over,
  };
}
