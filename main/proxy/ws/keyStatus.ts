// What a key's sockets are told in ComfyUI's `status` message (docs/sharing.md, "What a key's web UI shows").
// ComfyUI's web UI shows `exec_info.queue_remaining` as the queue badge and enables "Cancel current run" while
// it is above 0 and "Clear pending" above 1; a key's queue list holds only its own jobs. So a key is told its
// own count (pending + running, from the ledger) there, and how busy the GPU is with others' work in fields the
// frontends ignore (`others_remaining`, `others_ahead`), which the proxy's page script shows as a small note.
// Admin's sockets get ComfyUI's counts unchanged (admin's queue lists everything).
import { runsBefore } from '../../jobs/queueOrder';
import { FOREIGN_OWNER, type Job, type JobLedgerApi, type JobOwner } from '../../jobs/types';

export interface QueueView {
  /** The key's own jobs, pending and running: what its `/queue` lists. */
  own: number;
  /** Other principals' jobs, pending and running (jobs queued on ComfyUI directly are not counted). */
  othersRemaining: number;
  /** Others' jobs that ComfyUI will run before the key's next waiting job; 0 when none waits or one runs. */
  othersAhead: number;
}

type Ledger = Pick<JobLedgerApi, 'activeJobs' | 'subscribe'>;

export function queueViewOf(active: readonly Job[], owner: JobOwner): QueueView {
  const mine = active.filter((j) => j.owner === owner);
  const others = active.filter((j) => j.owner !== owner && j.owner !== FOREIGN_OWNER);
  const waiting = mine.filter((j) => j.state === 'pending');
  let othersAhead = 0;
  if (waiting.length > 0 && !mine.some((j) => j.state === 'running')) {
    // The key's job that starts soonest: the fewest others' jobs ahead of it on its own upstream.
    othersAhead = Math.min(
      ...waiting.map((w) => others.filter((o) => o.upstream === w.upstream && (o.state === 'running' || runsBefore(o, w))).length),
    );
  }
  return { own: mine.length, othersRemaining: others.length, othersAhead };
}

/** ComfyUI's status `data` with the key's view in `status.exec_info` (every other field, `sid` included, kept). */
export function keyStatusData(data: Record<string, unknown>, view: QueueView): Record<string, unknown> {
  const status = typeof data.status === 'object' && data.status !== null ? (data.status as Record<string, unknown>) : {};
  const execInfo = typeof status.exec_info === 'object' && status.exec_info !== null ? (status.exec_info as Record<string, unknown>) : {};
  return {
    ...data,
    status: {
      ...status,
      exec_info: { ...execInfo, queue_remaining: view.own, others_remaining: view.othersRemaining, others_ahead: view.othersAhead },
    },
  };
}

const sameView = (a: QueueView | null, b: QueueView): boolean =>
  a !== null && a.own === b.own && a.othersRemaining === b.othersRemaining && a.othersAhead === b.othersAhead;

/** One key socket's status view: rewrites ComfyUI's `status` messages, and sends one when the ledger moves. */
export class KeyStatusView {
  private last: QueueView | null = null;

  constructor(
    private readonly ledger: Ledger,
    private readonly owner: JobOwner,
    private readonly send: (text: string) => void,
  ) {}

  /** A `status` message from ComfyUI (already merged across upstreams), as this key should see it. */
  render(data: Record<string, unknown>): string {
    const view = queueViewOf(this.ledger.activeJobs(), this.owner);
    this.last = view;
    return JSON.stringify({ type: 'status', data: keyStatusData(data, view) });
  }

  /**
   * A job started or ended. ComfyUI's own `status` can reach this socket before the ledger hears of the change
   * (a job watched by another socket, a delete answered after ComfyUI broadcast its status): the key gets a
   * `status` like ComfyUI's queue updates (no sid) whenever what it was last told is no longer true.
   */
  refresh(): void {
    if (this.last === null) return;
    const view = queueViewOf(this.ledger.activeJobs(), this.owner);
    if (sameView(this.last, view)) return;
    this.last = view;
    this.send(JSON.stringify({ type: 'status', data: keyStatusData({}, view) }));
  }
}

/** The key sockets open now; each hears of every job that starts or ends (one ledger subscription for all). */
export class KeyStatusBoard {
  private static readonly boards = new WeakMap<Ledger, KeyStatusBoard>();

  /** The one board of a ledger (one per proxy): its subscription lives only while a key socket is open. */
  static of(ledger: Ledger): KeyStatusBoard {
    let board = KeyStatusBoard.boards.get(ledger);
    if (!board) KeyStatusBoard.boards.set(ledger, (board = new KeyStatusBoard(ledger)));
    return board;
  }

  private readonly views = new Set<KeyStatusView>();
  private unsubscribe: (() => void) | null = null;
  private scheduled = false;

  constructor(private readonly ledger: Ledger) {}

  open(owner: JobOwner, send: (text: string) => void): { view: KeyStatusView; close(): void } {
    const view = new KeyStatusView(this.ledger, owner, send);
    this.views.add(view);
    this.unsubscribe ??= this.ledger.subscribe((e) => {
      if ((e.type !== 'started' && e.type !== 'finished') || this.scheduled) return;
      // After the message that moved the ledger has been relayed (it is being delivered right now), once per burst.
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        for (const v of this.views) v.refresh();
      });
    });
    return {
      view,
      close: () => {
        this.views.delete(view);
        if (this.views.size === 0) {
          this.unsubscribe?.();
          this.unsubscribe = null;
        }
      },
    };
  }
}
