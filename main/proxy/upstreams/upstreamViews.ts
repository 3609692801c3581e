// The app's side of several upstreams (SPEC §5, §10): which URLs the settings name, and the plain-data view
// of each upstream's state that the monitor pushes to the window and the tray reads.
import type { UpstreamView } from '../../monitor/types';
import type { UpstreamStatus } from './upstreamHealth';

/** The settings' ComfyUI URL first, then the additional ones, each once (a repeat would refuse to start). */
export function upstreamUrls(s: { upstreamUrl: string; additionalUpstreams: readonly string[] }): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const url of [s.upstreamUrl, ...s.additionalUpstreams]) {
    let key = url;
    try {
      key = new URL(url).href.replace(/\/$/, '');
    } catch {
      /* the schema validated it; keep it as written */
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(url);
  }
  return out;
}

export function toUpstreamView(s: UpstreamStatus): UpstreamView {
  return {
    url: s.id,
    state: s.state,
    queue: s.queue,
    latencyMs: s.latencyMs,
    device: s.device ? { ...s.device } : null,
    matches: s.objectInfo.matches,
    problem: s.state === 'down' ? s.error : s.objectInfo.problem,
    error: s.error,
    since: s.since,
  };
}
