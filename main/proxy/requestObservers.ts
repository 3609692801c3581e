// Hands each finished request (HTTP or WebSocket) to the observers that count it (usage, the monitor). An
// observer that throws is ignored: observers never break the request path.
import type { ProxyObserver, RequestRecord } from '../common/traffic';

export function requestNotifier(observers: readonly ProxyObserver[]): (record: RequestRecord) => void {
  return (record) => {
    for (const o of observers) {
      try {
        o.onRequest?.(record);
      } catch {
        /* an observer must never break the request path */
      }
    }
  };
}
