// Backpressure between relayed WebSockets: a socket that sends faster than the other side reads is paused
// while the reader's send buffer is above HIGH_WATER and resumed once it has drained under LOW_WATER, so a
// slow browser holds ComfyUI's sends back instead of growing the proxy's memory. The callbacks are made
// once per relayed direction, not per frame.
import WebSocket from 'ws';

export const HIGH_WATER = 4 * 1024 * 1024;
export const LOW_WATER = 1024 * 1024;

/** One source paused for one reader (upstream → client). */
export class Throttle {
  private paused = false;

  constructor(
    private readonly source: WebSocket,
    private readonly reader: WebSocket,
  ) {}

  /** Call after each send to the reader. */
  check(): void {
    if (!this.paused && this.reader.bufferedAmount > HIGH_WATER) {
      this.paused = true;
      this.source.pause();
    }
  }

  /** The send callback: once the reader's buffer is low, the source may go on. */
  readonly sent = (): void => {
    if (this.paused && this.reader.bufferedAmount < LOW_WATER) {
      this.paused = false;
      this.source.resume();
    }
  };
}

/** One source (the client) paused until every one of several readers (its upstreams) has drained. */
export class FanOutThrottle {
  private paused = false;

  constructor(
    private readonly source: WebSocket,
    private readonly readers: () => Iterable<WebSocket>,
  ) {}

  check(reader: WebSocket): void {
    if (!this.paused && reader.bufferedAmount > HIGH_WATER) {
      this.paused = true;
      this.source.pause();
    }
  }

  readonly sent = (): void => {
    if (!this.paused) return;
    for (const r of this.readers()) if (r.readyState === WebSocket.OPEN && r.bufferedAmount >= LOW_WATER) return;
    this.paused = false;
    this.source.resume();
  };
}
