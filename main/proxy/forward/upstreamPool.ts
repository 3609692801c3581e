// The ComfyUI servers behind the proxy (SPEC §10): each with its connection pool and what the proxy
// knows of it (up or down, queue length). One upstream is the common case and behaves exactly as a
// single target; with several, new jobs go to the live upstream with the shortest queue.
import type { Upstream } from './upstreamTarget';
import { createUpstreamTarget } from './upstreamTarget';

export interface UpstreamState {
  up: boolean;
  /** queue_remaining as last seen (WS status or /queue); 0 when unknown. */
  queue: number;
  /** Consistency group: upstreams whose /object_info hash differs from the majority's are set apart. */
  matching: boolean;
}

export class UpstreamPool {
  readonly all: readonly Upstream[];
  private readonly state = new Map<string, UpstreamState>();
  private readonly byIdMap = new Map<string, Upstream>();

  constructor(urls: readonly string[]) {
    if (urls.length === 0) throw new Error('at least one upstream URL is needed');
    const seen = new Set<string>();
    const all: Upstream[] = [];
    for (const url of urls) {
      const target = createUpstreamTarget(url);
      const id = target.url.href.replace(/\/$/, '');
      if (seen.has(id)) throw new Error(`upstream ${id} is listed twice`);
      seen.add(id);
      const u = { id, target };
      all.push(u);
      this.byIdMap.set(id, u);
      this.state.set(id, { up: true, queue: 0, matching: true });
    }
    this.all = all;
  }

  get single(): boolean {
    return this.all.length === 1;
  }

  /** The first upstream: the one /health and the app's probes talk to when there is only one. */
  get primary(): Upstream {
    return this.all[0] as Upstream;
  }

  byId(id: string): Upstream | undefined {
    return this.byIdMap.get(id);
  }

  stateOf(id: string): UpstreamState | undefined {
    return this.state.get(id);
  }

  /**
   * Upstreams believed up. When none is (or there is one), all are tried: the belief may be stale, and a
   * refused connection tells the client more than a proxy that gives up without asking.
   */
  live(): Upstream[] {
    if (this.single) return [...this.all];
    const up = this.all.filter((u) => this.state.get(u.id)?.up);
    return up.length > 0 ? up : [...this.all];
  }

  /** Live upstreams that agree on /object_info, shortest queue first. */
  forNewJob(): Upstream[] {
    const live = this.live();
    const matching = live.filter((u) => this.state.get(u.id)?.matching !== false);
    return (matching.length > 0 ? matching : live).sort((a, b) => (this.state.get(a.id)?.queue ?? 0) - (this.state.get(b.id)?.queue ?? 0));
  }

  update(id: string, patch: Partial<UpstreamState>): void {
    const s = this.state.get(id);
    if (s) Object.assign(s, patch);
  }

  close(): void {
    for (const u of this.all) u.target.close();
  }
}
