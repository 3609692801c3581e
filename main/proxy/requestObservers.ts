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

/** The quota a 429 names in its RateLimit-Policy header (`"queue";q=3` → queue), for refusal counts. */
export function refusal(res: { getHeader(name: string): unknown }): { refusedPolicy?: string } {
  const policy = /^"([a-z_]+)"/.exec(String(res.getHeader('ratelimit-policy') ?? ''))?.[1];
  return policy ? { refusedPolicy: policy } : {};
}
