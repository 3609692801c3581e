// Stand-in runtime used until main/companion.ts composes the real services: the window, tray and
// IPC all work, and every handler answers a clear 'unavailable' error instead of pretending.
import { CompanionError } from '../errors';
import { INVOKE_CHANNELS, type Channel, type CompanionEvent, type ContractHandlers } from '../../preload/contract';
import type { CompanionRuntime, RuntimeEnvironment } from './runtime';
import type { TrayState } from './trayMenu';

const NOT_WIRED = 'The companion services are not wired into the desktop app in this build.';

export function createPlaceholderRuntime(_env: RuntimeEnvironment): CompanionRuntime {
  const state: TrayState = {
    proxy: 'error',
    proxyUrl: null,
    upstream: { url: 'http://127.0.0.1:8188', reachable: null, latencyMs: null },
    cloud: { loggedIn: false, hint: null },
    sessions: 0,
    keys: 0,
    error: 'services not wired',
  };
  const listeners = new Set<(event: CompanionEvent) => void>();
  const fail = async (): Promise<never> => {
    throw new CompanionError('unavailable', NOT_WIRED);
  };
  // Every handler rejects, so no response type is ever produced; the cast only names the shape.
  const handlers = Object.fromEntries(INVOKE_CHANNELS.map((c: Channel) => [c, fail])) as unknown as ContractHandlers;
  return {
    start: async () => undefined,
    pause: fail,
    resume: fail,
    close: async () => undefined,
    status: () => state,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    account: { logoutBrowserSessions: fail, logoutCloud: fail, logoutEverything: fail },
    handlers,
  };
}
