// Counts proxy requests: by status class, by key, per second (a bounded history) and a sliding
// requests-per-second window. O(1) per request; memory bounded by the ring sizes.
import { RingBuffer } from './ringBuffer';
import type { KeyTraffic, StatusClass, TrafficPoint, TrafficStats } from './types';
import { gauge } from '../common/sizeGauges';

const MAX_KEYS = 200;

export function statusClassOf(status: number): StatusClass {
  if (status === 429) return '429';
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}

function emptyPoint(t: number): TrafficPoint {
  return { t, total: 0, c2xx: 0, c3xx: 0, c4xx: 0, c429: 0, c5xx: 0 };
}

export class TrafficCounter {
  readonly windowS: number;
  readonly #history: RingBuffer<TrafficPoint>;
  #current: TrafficPoint | null = null;
  /** Start of the newest closed second already handed out by drainClosed(). */
  #drainedUpTo = -Infinity;
  #total = 0;
  readonly #byClass: Record<StatusClass, number> = { '2xx': 0, '3xx': 0, '4xx': 0, '429': 0, '5xx': 0 };
  readonly #byKey = new Map<string, KeyTraffic>();

  constructor(options: { historySeconds: number; windowS: number }) {
    gauge('monitor.keys', this, (t) => t.#byKey.size);
    this.windowS = options.windowS;
    this.#history = new RingBuffer(options.historySeconds);
  }

  record(status: number, keyId: string | null, keyName: string | null, nowMs: number): void {
    const cls = statusClassOf(status);
    this.#total++;
    this.#byClass[cls]++;
    const point = this.#pointFor(nowMs);
    point.total++;
    point[`c${cls}` as 'c2xx']++;
    const name = keyName ?? '(none)';
    let k = this.#byKey.get(name);
    if (!k) {
      if (this.#byKey.size >= MAX_KEYS) this.#evictOldestKey();
      k = { keyId, keyName: name, total: 0, errors: 0, limited: 0, lastAt: nowMs };
      this.#byKey.set(name, k);
    }
    k.total++;
    k.lastAt = nowMs;
    if (status === 429) k.limited++;
    else if (status >= 400) k.errors++;
  }

  /**
   * Closes every second that ended before `nowMs` into the history and returns the closed points
   * (with zero points for idle seconds), so charts advance even without traffic.
   */
  advance(nowMs: number): TrafficPoint[] {
    const second = Math.floor(nowMs / 1000) * 1000;
    const closed: TrafficPoint[] = [];
    if (this.#current === null) {
      this.#current = emptyPoint(second);
      return closed;
    }
    // Bound the gap-filling loop: after a long sleep only the last history's worth matters.
    let t = this.#current.t;
    if (second - t > this.#history.capacity * 1000) {
      this.#history.push(this.#current);
      closed.push(this.#current);
      t = second - this.#history.capacity * 1000;
      this.#current = emptyPoint(t);
    }
    while (this.#current.t < second) {
      this.#history.push(this.#current);
      closed.push(this.#current);
      this.#current = emptyPoint(this.#current.t + 1000);
    }
    return closed;
  }

  stats(nowMs: number): TrafficStats {
    this.advance(nowMs);
    // windowS - 1 closed seconds plus the current one make the window.
    const from = Math.floor(nowMs / 1000) * 1000 - (this.windowS - 1) * 1000;
    let inWindow = 0;
    for (const p of this.#history.toArray()) if (p.t >= from) inWindow += p.total;
    // The current (unfinished) second counts too, so a burst shows at once.
    inWindow += this.#current?.total ?? 0;
    return {
      total: this.#total,
      byClass: { ...this.#byClass },
      rps: Math.round((inWindow / this.windowS) * 100) / 100,
      windowS: this.windowS,
      byKey: [...this.#byKey.values()].map((k) => ({ ...k })).sort((a, b) => b.total - a.total),
    };
  }

  history(): TrafficPoint[] {
    return this.#history.toArray();
  }

  /** Closed seconds not handed out before (for pushed deltas), oldest first. */
  drainClosed(nowMs: number): TrafficPoint[] {
    this.advance(nowMs);
    const fresh = this.#history.toArray().filter((p) => p.t > this.#drainedUpTo);
    const last = fresh[fresh.length - 1];
    if (last) this.#drainedUpTo = last.t;
    return fresh.map((p) => ({ ...p }));
  }

  #pointFor(nowMs: number): TrafficPoint {
    this.advance(nowMs);
    return this.#current as TrafficPoint;
  }

  #evictOldestKey(): void {
    let oldest: KeyTraffic | null = null;
    for (const k of this.#byKey.values()) if (!oldest || k.lastAt < oldest.lastAt) oldest = k;
    if (oldest) this.#byKey.delete(oldest.keyName);
  }
}
