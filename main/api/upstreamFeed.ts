// Each ComfyUI server's state for the window and the tray while the proxy runs (SPEC §5, §10). With several
// servers the proxy's health watcher reports them and the monitor pushes them on; with one, the monitor's own
// health sample already covers it and no watcher is started (it would ask ComfyUI a second time).
import type { UpstreamView } from '../monitor/types';
import type { RunningProxy } from '../proxy/server';
import { toUpstreamView } from './upstreamViews';

export interface UpstreamSink {
  setUpstreams(views: UpstreamView[]): void;
}

export class UpstreamFeed {
  readonly #sink: UpstreamSink;
  #views: UpstreamView[] = [];
  #stop: (() => void) | null = null;

  constructor(sink: UpstreamSink) {
    this.#sink = sink;
  }

  /** A listener started: follow its servers when there are several. */
  attach(proxy: Pick<RunningProxy, 'upstreams' | 'upstreamStatus' | 'onUpstreamChange'>): void {
    this.detach();
    if (proxy.upstreams.all.length < 2) return;
    const show = (list: ReturnType<RunningProxy['upstreamStatus']>) => this.#sink.setUpstreams((this.#views = list.map(toUpstreamView)));
    this.#stop = proxy.onUpstreamChange(show);
    show(proxy.upstreamStatus());
  }

  /** The listener stopped: nothing is known about the servers until it runs again. */
  detach(): void {
    this.#stop?.();
    this.#stop = null;
    if (this.#views.length > 0) this.#sink.setUpstreams((this.#views = []));
  }

  /** The last report, primary first; empty with one server or while the proxy is not running. */
  views(): UpstreamView[] {
    return this.#views;
  }
}
