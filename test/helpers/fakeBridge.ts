// A fake window.companion for renderer component tests: channel → handler, a record of every call,
// and an emit() that pushes events to the view's listeners.
import type { Channel, CompanionBridge, CompanionEvent, IpcResult } from '../../preload/contract';

export type FakeHandler = (req: unknown) => IpcResult<unknown> | Promise<IpcResult<unknown>>;

export function installBridge(handlers: Partial<Record<Channel, FakeHandler>>) {
  const calls: { channel: Channel; req: unknown }[] = [];
  const listeners = new Set<(e: CompanionEvent) => void>();
  const bridge: CompanionBridge = {
    platform: 'test',
    invoke: (async (channel: Channel, req?: unknown) => {
      calls.push({ channel, req });
      const h = handlers[channel];
      return h ? h(req) : { ok: false, error: { code: 'not_found', message: `no fake for ${channel}` } };
    }) as CompanionBridge['invoke'],
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  (window as unknown as { companion: CompanionBridge }).companion = bridge;
  return { calls, emit: (e: CompanionEvent) => listeners.forEach((l) => l(e)) };
}
