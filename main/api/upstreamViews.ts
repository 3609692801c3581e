// The app's side of several upstreams (SPEC §5, §10): the plain-data view of each upstream's state that the
// monitor pushes to the window and the tray reads.
import type { UpstreamView } from '../monitor/types';
import type { UpstreamStatus } from '../proxy/upstreams/upstreamHealth';

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
