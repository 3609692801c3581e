// The preload: exposes exactly one object, `window.companion`, built from the contract's channel
// list. No ipcRenderer, no generic send; invoke refuses channels the contract does not list.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNELS, type Channel, type CompanionBridge, type CompanionEvent, type IpcResult } from './contract';

const allowed: ReadonlySet<string> = new Set(INVOKE_CHANNELS);

function failure(code: 'invalid_request' | 'internal', message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

function isResult(value: unknown): value is IpcResult<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

const bridge: CompanionBridge = {
  // Resolves with the main process's IpcResult as is (errors keep code, message, retryAfter);
  // a transport failure is turned into the same shape so callers handle one thing.
  invoke: (async (channel: string, ...args: unknown[]) => {
    if (typeof channel !== 'string' || !allowed.has(channel)) return failure('invalid_request', `Unknown channel: ${String(channel)}`);
    if (args.length > 1) return failure('invalid_request', `${channel} takes at most one argument`);
    try {
      const result: unknown = await ipcRenderer.invoke(channel as Channel, ...args);
      return isResult(result) ? result : failure('internal', `Malformed reply on ${channel}`);
    } catch {
      return failure('internal', `The companion did not answer on ${channel}`);
    }
  }) as CompanionBridge['invoke'],
  onEvent(listener) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    // Wrapped so the renderer never receives the IpcRendererEvent (it exposes `sender`).
    const wrapped = (_event: IpcRendererEvent, payload: CompanionEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
    };
  },
  platform: process.platform,
};

contextBridge.exposeInMainWorld('companion', bridge);
