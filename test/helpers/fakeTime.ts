// A manual clock and timer queue for the monitor's timer seam (samplePacing.ts): time moves only when the
// test says so, and due timers fire in order.
import type { MonitorTimers } from '../../main/monitor/samplePacing';

export class FakeTime implements MonitorTimers {
  now = 1_700_000_000_000;
  #timers: { at: number; fn: () => void; id: number }[] = [];
  #id = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#id;
    this.#timers.push({ at: this.now + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }
  /** Advances time, firing due timers in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at);
      const next = this.#timers[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.now = Math.max(this.now, next.at);
      next.fn();
    }
    this.now = end;
  }
  get pending(): number {
    return this.#timers.length;
  }
  /** How far ahead the earliest timer is due. */
  get nextIn(): number {
    return Math.min(...this.#timers.map((t) => t.at)) - this.now;
  }
}
