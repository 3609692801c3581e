// A fair share of the GPU (SPEC §12): the `number` each forwarded job gets, so that ComfyUI — which runs the
// pending job with the lowest number first (server.py post_prompt takes a float `number`; execution.py's
// PromptQueue is a heap on (number, prompt_id)) — serves waiting principals fairly. Start-time fair queuing
// (Goyal, Vin & Cheng 1996) over estimated GPU seconds, one virtual clock per upstream:
//   a job of owner f arriving at upstream u gets  start = max(v_u, finish_f,u),  finish_f,u = start + cost / share_f
//   and its number is its start; v_u is the start of the job running on u (or, not known, of the next waiting one).
// A principal alone still gets the whole GPU (nothing is held back); one that queued a batch advances its own
// clock, so a newcomer's job starts after at most the running job and one more. All this state is in the job
// ledger (each job's number, share and estimate), so it survives a restart. docs/jobs.md has the worked example.
import type { Job, JobLedgerApi, JobOwner } from '../../jobs/types';
import { estimateGpuMs } from './gpuCost';

/** What the proxy put in a job's body, and what the ledger records with it. */
export interface QueuePlace {
  /** The number sent to ComfyUI; null when the proxy left it to ComfyUI (admin's own `number`, FIFO mode). */
  number: number | null;
  /** The owner's share when the number is a fair start time. */
  share?: number;
  estimatedMs: number;
  /** The job was not queued after all (refused, upstream unreachable): its turn is given back. */
  release(): void;
}

type Ledger = Pick<JobLedgerApi, 'list' | 'runningOn'>;

interface Lane {
  /** Virtual time: the start of the job in service. Never goes back. */
  v: number;
  /** Virtual finish of each owner's latest job here. */
  finish: Map<JobOwner, number>;
  /** Breaks exact ties in arrival order (ComfyUI would break them by prompt id, i.e. at random). */
  seq: number;
}

/**
 * Numbers are kept to 1e-7 of a virtual second (exact in a double for centuries of GPU time), and jobs that
 * start at the same virtual time take the next of TIE_SLOTS steps of that size in arrival order. All slots
 * together (1e-4) stay below the smallest step one owner's own jobs take (MIN_COST_MS / SHARE_MAX = 5e-4),
 * so an owner's jobs always run in the order it sent them.
 */
const SCALE = 1e7;
const TIE_SLOTS = 1000;

/** A fair-ordered job: its number is its virtual start time. */
function isFair(job: Job): job is Job & { share: number; number: number } {
  return job.share !== undefined && job.number !== null;
}

/** Who queues a job, as the order needs to know. */
export interface QueueingPrincipal {
  admin: boolean;
  owner: JobOwner;
  share: number;
}

/** Python's truthiness of a JSON value, as server.py reads `front`. */
function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length > 0;
  return Boolean(v);
}

/** 'fair' (the product); 'fifo' leaves numbering to ComfyUI, first come first served (the benchmark's "before"). */
export type QueueOrderMode = 'fair' | 'fifo';

export class FairOrder {
  private readonly lanes = new Map<string, Lane>();

  /** Rebuilds every upstream's clock and each owner's finish time from the ledger's jobs (a restart). */
  constructor(
    private readonly ledger: Ledger,
    readonly mode: QueueOrderMode = 'fair',
  ) {
    for (const job of ledger.list({ limit: Number.MAX_SAFE_INTEGER })) {
      if (!isFair(job)) continue;
      const lane = this.lane(job.upstream);
      const finish = job.number + (job.estimatedMs ?? 0) / 1000 / job.share;
      lane.finish.set(job.owner, Math.max(lane.finish.get(job.owner) ?? -Infinity, finish));
      if (job.state !== 'pending' && job.state !== 'deleted' && (job.startedAt !== null || job.state !== 'error')) lane.v = Math.max(lane.v, job.number);
    }
  }

  /**
   * How a job's place is chosen, decided once per `POST /prompt` (a key's own `front`/`number` were removed
   * before): admin's `number` stays as sent; admin's `front: true` becomes a number ahead of every waiting job;
   * everything else gets its fair start. The returned function sets `body.number` for the upstream about to
   * be tried (several upstreams: each has its own order).
   */
  placer(who: QueueingPrincipal, body: Record<string, unknown>): (upstream: string) => QueuePlace {
    const estimatedMs = estimateGpuMs(this.ledger, who.owner);
    const asSent = (): QueuePlace => ({ number: null, estimatedMs, release: () => undefined });
    if (who.admin && 'number' in body) return asSent;
    if (who.admin && truthy(body.front)) {
      if (this.mode === 'fifo') return asSent;
      delete body.front;
      return (upstream) => {
        body.number = this.front(upstream);
        return { number: body.number as number, estimatedMs, release: () => undefined };
      };
    }
    if (this.mode === 'fifo') return asSent;
    return (upstream) => {
      const place = this.assign(upstream, who.owner, who.share, estimatedMs);
      body.number = place.number;
      return place;
    };
  }

  /** The fair place of a job of `owner` with `share`, expected to take `estimatedMs`, sent to `upstream` now. */
  assign(upstream: string, owner: JobOwner, share: number, estimatedMs: number): QueuePlace {
    const lane = this.lane(upstream);
    this.advance(upstream, lane);
    const previous = lane.finish.get(owner);
    const start = Math.max(lane.v, previous ?? -Infinity);
    const finish = start + estimatedMs / 1000 / share;
    lane.finish.set(owner, finish);
    const number = (Math.round(start * SCALE) + (lane.seq++ % TIE_SLOTS)) / SCALE;
    return {
      number,
      share,
      estimatedMs,
      release: () => {
        // Only while no later job of the owner built on it; otherwise the owner keeps the (small) debt.
        if (lane.finish.get(owner) !== finish) return;
        if (previous === undefined) lane.finish.delete(owner);
        else lane.finish.set(owner, previous);
      },
    };
  }

  /** Admin's `front: true`: a number below every job waiting on that upstream (the newest front job first, as ComfyUI does). */
  front(upstream: string): number {
    const lane = this.lane(upstream);
    const waiting = this.active(upstream).map((j) => j.number).filter((n): n is number => n !== null);
    return Math.floor(Math.min(lane.v, ...waiting)) - 1;
  }

  /** What the order needs per upstream, for tests and the docs' worked example. */
  state(upstream: string): { virtualTime: number; finish: Record<JobOwner, number> } {
    const lane = this.lane(upstream);
    return { virtualTime: lane.v, finish: Object.fromEntries(lane.finish) };
  }

  private lane(upstream: string): Lane {
    let lane = this.lanes.get(upstream);
    if (!lane) {
      lane = { v: 0, finish: new Map(), seq: 0 };
      this.lanes.set(upstream, lane);
    }
    return lane;
  }

  private active(upstream: string): Job[] {
    return this.ledger.list({ upstream, states: ['pending', 'running'], limit: Number.MAX_SAFE_INTEGER });
  }

  /**
   * Moves the virtual clock to the job in service: the one the ledger sees running, else the fair job that
   * runs next (the ledger learns of starts a little late when no socket watches). With nothing waiting or
   * running, everyone's past use is forgiven: the clock jumps to the latest finish (no credit for idle time).
   */
  private advance(upstream: string, lane: Lane): void {
    const active = this.active(upstream);
    if (active.length === 0) {
      for (const f of lane.finish.values()) lane.v = Math.max(lane.v, f);
      lane.finish.clear();
      return;
    }
    const running = this.ledger.runningOn(upstream);
    let inService = running && isFair(running) ? running.number : null;
    if (inService === null) {
      for (const job of active) if (isFair(job) && job.state === 'pending' && (inService === null || job.number < inService)) inService = job.number;
    }
    if (inService !== null) lane.v = Math.max(lane.v, inService);
    // Owners already behind the clock start at the clock anyway: forget them so the map stays small.
    if (lane.finish.size > 64) for (const [owner, f] of lane.finish) if (f <= lane.v) lane.finish.delete(owner);
  }
}
