// Revocation that bites (SPEC §8.6): every open WebSocket and in-flight response remembers how it was
// authenticated; when its key is revoked, disabled, rotated (after grace), expires, or its session ends,
// it is cut within a second. Checked on every key-store change and on a half-second tick that runs
// only while something is open. Also answers "the owner's newest open socket" (its default client_id).
import type { JobOwner } from '../../jobs/types';
import type { AuthOutcome } from '../../common/principal';
import { gauge } from '../../common/sizeGauges';

const TICK_MS = 500;

export interface OpenConnection {
  owner: JobOwner;
  /** The WebSocket's clientId; absent for HTTP responses. */
  clientId?: string;
  /** Re-runs the authentication this connection was admitted with. */
  recheck(): AuthOutcome;
  /** Ends it, saying why (close code 1008 for a WebSocket, a reset for HTTP). */
  close(reason: string): void;
}

/** A place in the list of open connections. */
interface Entry {
  conn: OpenConnection;
  prev: Entry | null;
  next: Entry | null;
  linked: boolean;
}

export class OpenConnections {
  // Every open connection in a doubly linked list, oldest first, rather than a Set: with one add and one delete
  // per request, a long-lived Set made V8 promote each request's objects out of the young generation
  // (--trace-gc-nvp: 5.5 KB promoted per request instead of 0.4), tripling the scavenger's time (docs/performance.md).
  private head: Entry | null = null;
  private tail: Entry | null = null;
  private count = 0;
  /** Each owner's open WebSockets, oldest first. */
  private readonly sockets = new Map<JobOwner, OpenConnection[]>();

  private timer: NodeJS.Timeout | null = null;

  constructor() {
    gauge('connections.open', this, (c) => c.count);
  }

  /** Registers a connection; returns the function that unregisters it. */
  add(conn: OpenConnection): () => void {
    const entry: Entry = { conn, prev: this.tail, next: null, linked: true };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    this.count++;
    if (conn.clientId !== undefined) this.sockets.set(conn.owner, [...(this.sockets.get(conn.owner) ?? []), conn]);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
    return () => this.remove(entry);
  }

  /** The clientId of the owner's most recently opened WebSocket that is still open. */
  newestSocketOf(owner: JobOwner): string | undefined {
    return this.sockets.get(owner)?.at(-1)?.clientId;
  }

  get size(): number {
    return this.count;
  }

  /** Closes every connection whose credential no longer authenticates. */
  recheckAll(): void {
    const entries: Entry[] = [];
    for (let e = this.head; e; e = e.next) entries.push(e);
    for (const entry of entries) {
      if (!entry.linked) continue;
      let outcome: AuthOutcome;
      try {
        outcome = entry.conn.recheck();
      } catch {
        continue;
      }
      if (outcome.ok) continue;
      this.remove(entry);
      try {
        entry.conn.close(outcome.message);
      } catch {
        /* already gone */
      }
    }
  }

  private remove(entry: Entry): void {
    if (!entry.linked) return;
    entry.linked = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = null;
    entry.next = null;
    this.count--;
    const { conn } = entry;
    if (conn.clientId !== undefined) {
      // By identity, not clientId: a reloaded page reopens with the same clientId before the old socket closes.
      const left = (this.sockets.get(conn.owner) ?? []).filter((c) => c !== conn);
      if (left.length > 0) this.sockets.set(conn.owner, left);
      else this.sockets.delete(conn.owner);
    }
  }

  /** The half-second re-check; it stops itself once nothing is open (not on every last close, which would
   * arm and clear a timer per request at low concurrency). */
  private tick(): void {
    if (this.count === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      return;
    }
    this.recheckAll();
  }
}
