// The HTTP side of fair admission (fairQueue.ts): which lane a request belongs to, 429 `in_flight` when the
// waiting room is full, 504 when a queued request waited longer than the upstream timeout, and the slot
// given back when the response closes (finished, failed or aborted). A client that leaves while queued
// leaves the queue at once.
import type { ServerResponse } from 'node:http';
import { FairQueue, type FairQueueLimits, type Release } from './fairQueue';
import { sendError, sendHtmlError } from '../../http/respond';
import type { Principal } from '../../common/principal';

export interface InFlightLimits extends FairQueueLimits {
  /** Longest a request waits for a slot before it is answered 504. */
  maxWaitMs: number;
}

/** SPEC §9 numbers; `total` equals the upstream pool's maxSockets (upstreamTarget.ts). */
export const DEFAULT_IN_FLIGHT: FairQueueLimits = { perPrincipal: 32, total: 256, maxWaiting: 1024 };

/** Lane names cannot collide with key ids (22 URL-safe characters, never '#'). */
export const ANONYMOUS_LANE = '#anonymous';
const ADMIN_LANE = '#admin';

/** Each access key is one principal (its browser sessions included); the admin key is one; anonymous static-asset traffic is one. */
export function laneOf(principal: Principal | null): string {
  if (!principal) return ANONYMOUS_LANE;
  return principal.keyId ?? ADMIN_LANE;
}

export class InFlightGate {
  private readonly queue: FairQueue;

  constructor(private readonly limits: InFlightLimits) {
    this.queue = new FairQueue(limits);
  }

  /** Calls `start` once `lane` has a slot (at once when it has room); the slot is freed when `res` closes. */
  run(lane: string, res: ServerResponse, browserNavigation: boolean, start: () => void): void {
    let release: Release | null = null;
    let waitTimer: NodeJS.Timeout | undefined;
    const ticket = this.queue.enter(lane, (granted) => {
      clearTimeout(waitTimer);
      if (res.destroyed) {
        granted();
        return;
      }
      release = granted;
      start();
    });
    if (!ticket) {
      this.refuseFull(res);
      return;
    }
    // 'close' comes once: `on` spares the once-wrapper on every request.
    res.on('close', () => {
      ticket.cancel();
      clearTimeout(waitTimer);
      release?.();
    });
    if (!ticket.queued) return;
    waitTimer = setTimeout(() => {
      ticket.cancel();
      const s = Math.round(this.limits.maxWaitMs / 1000);
      const detail =
        `This request waited ${s} s for one of its ${this.limits.perPrincipal} upstream slots; ` +
        'ComfyUI has not answered the earlier requests of the same key yet.';
      if (browserNavigation) sendHtmlError(res, 504, 'ComfyUI did not answer', detail);
      else sendError(res, 'upstream_timeout', detail);
    }, this.limits.maxWaitMs);
  }

  stats(): { active: number; waiting: number; lanes: number } {
    return this.queue.stats();
  }

  private refuseFull(res: ServerResponse): void {
    const { perPrincipal, maxWaiting } = this.limits;
    sendError(
      res,
      'rate_limited',
      `Too many requests are waiting for ComfyUI (${maxWaiting} at most; each key has ${perPrincipal} in flight); retry in 1 s.`,
      {
        'retry-after': '1',
        'ratelimit-policy': `"in_flight";q=${perPrincipal}`,
        ratelimit: '"in_flight";r=0;t=1',
        // The request body (if any) is left unread: do not reuse the connection.
        connection: 'close',
      },
      429,
    );
  }
}
