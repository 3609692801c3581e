// Fair admission of upstream requests (SPEC §9): each principal has at most `perPrincipal` in flight; the
// rest wait in that principal's own FIFO; when a slot frees, the lanes that can start are served round-robin,
// so a principal with 1 000 waiting requests and one with 1 alternate. `total` caps all lanes together
// (kept at or below the upstream pool's size, so requests never queue unfairly inside the http.Agent).
// Pure bookkeeping: no sockets, no timers.
import { gauge } from '../../common/sizeGauges';


export type Release = () => void;

export interface FairQueueLimits {
  perPrincipal: number;
  total: number;
  /** Waiting requests of all lanes together; beyond it `enter` refuses. */
  maxWaiting: number;
}

interface Waiter {
  lane: Lane;
  grant: (release: Release) => void;
}

interface Lane {
  id: string;
  active: number;
  waiting: Waiter[];
  inRing: boolean;
}

export interface Ticket {
  /** True while the request waits for a slot. */
  readonly queued: boolean;
  /** Leaves the queue (the client went away, or gave up waiting). No effect once granted. */
  cancel(): void;
}

export class FairQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Lanes with waiters, in round-robin order; `next` is where the next grant search starts. */
  private ring: Lane[] = [];
  private next = 0;
  private active = 0;
  private waitingCount = 0;

  constructor(private readonly limits: FairQueueLimits) {
    gauge('inFlight.lanes', this, (q) => q.lanes.size);
  }

  /**
   * Starts `grant` now (synchronously) when the lane and the total have room and nobody of this lane is
   * waiting, else queues it. Returns null when the waiting room is full.
   */
  enter(laneId: string, grant: (release: Release) => void): Ticket | null {
    let lane = this.lanes.get(laneId);
    if (!lane) {
      lane = { id: laneId, active: 0, waiting: [], inRing: false };
      this.lanes.set(laneId, lane);
    }
    if (lane.waiting.length === 0 && this.canStart(lane)) {
      this.start({ lane, grant });
      return GRANTED;
    }
    if (this.waitingCount >= this.limits.maxWaiting) {
      this.forget(lane);
      return null;
    }
    const waiter: Waiter = { lane, grant };
    lane.waiting.push(waiter);
    this.waitingCount++;
    if (!lane.inRing) {
      lane.inRing = true;
      this.ring.push(lane);
    }
    let waiting = true;
    return {
      get queued() {
        return waiting;
      },
      cancel: () => {
        if (!waiting) return;
        waiting = false;
        const at = lane.waiting.indexOf(waiter);
        if (at >= 0) {
          lane.waiting.splice(at, 1);
          this.waitingCount--;
          if (lane.waiting.length === 0) this.dropIdleLanesFromRing();
        }
      },
    };
  }

  /** In flight and waiting, for the monitor and tests. */
  stats(): { active: number; waiting: number; lanes: number } {
    return { active: this.active, waiting: this.waitingCount, lanes: this.lanes.size };
  }

  private canStart(lane: Lane): boolean {
    return lane.active < this.limits.perPrincipal && this.active < this.limits.total;
  }

  private start(waiter: Waiter): void {
    const { lane } = waiter;
    lane.active++;
    this.active++;
    let released = false;
    waiter.grant(() => {
      if (released) return;
      released = true;
      lane.active--;
      this.active--;
      this.forget(lane);
      this.pump();
    });
  }

  /** Grants waiting requests, one lane at a time in ring order, while there is room. */
  private pump(): void {
    while (this.active < this.limits.total && this.ring.length > 0) {
      let granted = false;
      for (let scanned = 0; scanned < this.ring.length; scanned++) {
        const i = (this.next + scanned) % this.ring.length;
        const lane = this.ring[i] as Lane;
        if (lane.waiting.length === 0 || lane.active >= this.limits.perPrincipal) continue;
        const waiter = lane.waiting.shift() as Waiter;
        this.waitingCount--;
        this.next = i + 1;
        this.start(waiter);
        granted = true;
        break;
      }
      this.dropIdleLanesFromRing();
      if (!granted) return;
    }
  }

  private dropIdleLanesFromRing(): void {
    if (this.ring.every((l) => l.waiting.length > 0)) return;
    const kept: Lane[] = [];
    let next = 0;
    this.ring.forEach((lane, i) => {
      if (lane.waiting.length > 0) {
        if (i < this.next) next++;
        kept.push(lane);
      } else {
        lane.inRing = false;
        this.forget(lane);
      }
    });
    this.ring = kept;
    this.next = kept.length === 0 ? 0 : next % kept.length;
  }

  /** Lanes with nothing in flight and nobody waiting are dropped, so memory follows live principals only. */
  private forget(lane: Lane): void {
    if (lane.active === 0 && lane.waiting.length === 0 && !lane.inRing) this.lanes.delete(lane.id);
  }
}

const GRANTED: Ticket = { queued: false, cancel: () => {} };
