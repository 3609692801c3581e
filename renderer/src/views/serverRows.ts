// What the window knows of each ComfyUI server, one row per saved address, primary first: the proxy's
// per-server report when there are several, else the monitor's health sample of the primary; nothing yet
// otherwise (the proxy is paused, or the first check has not come back).
import type { HealthSample, UpstreamView } from '../../../preload/contract';

export type ServerState = 'up' | 'down' | 'checking' | 'unknown';

export interface ServerRow {
  url: string;
  primary: boolean;
  state: ServerState;
  latencyMs: number | null;
  /** Jobs waiting or running there; null when not known. */
  queue: number | null;
  device: string | null;
  /** false: other nodes or models than the others, so no new jobs go there; null: not known or one server. */
  matches: boolean | null;
  /** What differs, when it does not match. */
  problem: string | null;
  /** Why it is down (the health check's short reason). */
  error: string | null;
}

/** The proxy's key for a server: the same however it is spelled. */
export function sameServer(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      return new URL(u).href.replace(/\/+$/, '');
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return norm(a) === norm(b);
}

export function serverRows(urls: readonly string[], views: readonly UpstreamView[], health: HealthSample | null): ServerRow[] {
  return urls.map((url, i) => {
    const base: ServerRow = { url, primary: i === 0, state: 'unknown', latencyMs: null, queue: null, device: null, matches: null, problem: null, error: null };
    const v = views.find((x) => sameServer(x.url, url));
    if (v) {
      return {
        ...base,
        state: v.state,
        latencyMs: v.state === 'up' ? v.latencyMs : null,
        queue: v.state === 'down' ? null : v.queue,
        device: v.device?.name ?? null,
        matches: v.state === 'down' ? null : v.matches,
        problem: v.matches === false ? v.problem : null,
        error: v.state === 'down' ? v.error : null,
      };
    }
    if (i === 0 && health && sameServer(health.url, url)) {
      return {
        ...base,
        state: health.up ? 'up' : 'down',
        latencyMs: health.up ? health.latencyMs : null,
        queue: health.up ? health.queueRunning + health.queuePending : null,
        device: health.up ? (health.device?.name ?? null) : null,
        error: health.up ? null : health.error,
      };
    }
    return base;
  });
}

/** "2 of 3 answering" for several servers; null for one (its own state says it). */
export function answeringSummary(rows: readonly ServerRow[]): string | null {
  if (rows.length < 2) return null;
  return `${rows.filter((r) => r.state === 'up').length} of ${rows.length} answering`;
}
