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

export class OpenConnections {
  private readonly open = new Set<OpenConnection>();
  /** Each owner's open WebSockets, oldest first. */
  private readonly sockets = new Map<JobOwner, OpenConnection[]>();

  constructor() {
    gauge('connections.open', this, (c) => c.open.size);
  }
  private timer: NodeJS.Timeout | null = null;

  /** Registers a connection; returns the function that unregisters it. */
  add(conn: OpenConnection): () => void {
    this.open.add(conn);
    if (conn.clientId !== undefined) this.sockets.set(conn.owner, [...(this.sockets.get(conn.owner) ?? []), conn]);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    }
    return () => this.remove(conn);
  }

  /** The clientId of the owner's most recently opened WebSocket that is still open. */
  newestSocketOf(owner: JobOwner): string | undefined {
    return this.sockets.get(owner)?.at(-1)?.clientId;
  }

  get size(): number {
    return this.open.size;
  }

  /** Closes every connection whose credential no longer authenticates. */
  recheckAll(): void {
    for (const conn of [...this.open]) {
      let outcome: AuthOutcome;
      try {
        outcome = conn.recheck();
      } catch {
        continue;
      }
      if (outcome.ok) continue;
      this.remove(conn);
      try {
        conn.close(outcome.message);
      } catch {
        /* already gone */
      }
    }
  }

  private remove(conn: OpenConnection): void {
    if (!this.open.delete(conn)) return;
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
    if (this.open.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
      return;
    }
    this.recheckAll();
  }
}
