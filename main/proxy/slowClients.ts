// Slow clients (SPEC §9): a connection that has not sent a complete request head within 30 s is closed
// (slowloris), while a body may stream for as long as it progresses (the forwarder's 60 s stall rule,
// upstreamTimeouts.ts). WebSocket upgrade requests are heads like any other, so the same rule covers them.
//
// Node's own head timer does the work: `headersTimeout` measures from a message's first byte (or from the
// connection's start, for a socket that never sends one) to its complete head. Node derives it as
// min(60 s, requestTimeout) when it is not given, so `requestTimeout: 0` (no cap on a whole request, needed
// for large uploads over slow tunnels) silently turned the head timer off as well; it is set explicitly
// here. Node checks the timers every `connectionsCheckingInterval` (default 30 s, which would let a head
// trickle for up to 60 s), so the check runs every 1/6 of the limit: 5 s for the default 30 s (a head is cut
// between 30 and 35 s). Node runs that check while the server listens, busy or idle, so it is not made more
// often: at 2 s it was most of an idle proxy's wake-ups (46 a minute against 14 without it).
import type { ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import { rawResponse } from '../http/rawResponse';

/** How long a connection may take to send a complete request head (SPEC §9). */
export const HEAD_TIMEOUT_MS = 30_000;
/** Closes after the first are summed up in one log line per this interval (a slowloris attack must not flood stderr). */
export const SLOW_CLIENT_LOG_INTERVAL_MS = 60_000;

/**
 * The head rule of one server: its node:http options, its 'clientError' listener, and a count of the
 * connections it closed, told to the log without flooding it (the first close at once, later ones summed up
 * at most once a minute). The count is what the monitor and the tests read.
 */
export class SlowClients {
  readonly headTimeoutMs: number;
  #total = 0;
  #unreported = 0;
  #lastLogAt: number | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    headTimeoutMs: number | undefined,
    private readonly log: (message: string) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly logIntervalMs = SLOW_CLIENT_LOG_INTERVAL_MS,
  ) {
    this.headTimeoutMs = headTimeoutMs ?? HEAD_TIMEOUT_MS;
  }

  /** node:http server options for the rule. */
  get serverOptions(): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
    return {
      headersTimeout: this.headTimeoutMs,
      // No cap on a whole request: a stalled upload is cut by the forwarder instead (upstreamTimeouts.ts).
      requestTimeout: 0,
      connectionsCheckingInterval: Math.max(10, Math.min(5_000, Math.floor(this.headTimeoutMs / 6))),
    };
  }

  /** The server's 'clientError' listener: a late head gets 408 and is counted; a malformed or oversized one 400. */
  readonly onClientError = (err: NodeJS.ErrnoException, socket: Duplex): void => {
    // A response already under way on this socket (a pipelined request): an answer now would corrupt it. Node's
    // own handler makes the same check.
    const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      this.closed((socket as Duplex & { remoteAddress?: string }).remoteAddress ?? '');
      if (answering) return void socket.destroy();
      return rawResponse(socket, 408, 'request_timeout', `The request head was not complete within ${this.seconds()}; the connection was closed.`);
    }
    if (err.code === 'ECONNRESET' || !socket.writable || answering) return void socket.destroy();
    const message =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 'Request headers are too large (limit 16 KiB).'
        : `Malformed HTTP request (${err.code ?? 'parse error'}); check Content-Length, Transfer-Encoding and header syntax.`;
    rawResponse(socket, 400, 'invalid_request', message);
  };

  /** Connections closed so far because their request head did not complete in time. */
  get total(): number {
    return this.#total;
  }

  closed(remoteAddress: string): void {
    this.#total += 1;
    const at = this.now();
    if (this.#lastLogAt === null || at - this.#lastLogAt >= this.logIntervalMs) {
      this.#lastLogAt = at;
      const from = remoteAddress ? ` from ${remoteAddress}` : '';
      this.log(`closed a connection${from} that did not send a complete request head within ${this.seconds()} (slow client); more are summed up once a minute`);
      return;
    }
    this.#unreported += 1;
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => this.report(), this.#lastLogAt + this.logIntervalMs - at);
    this.#timer.unref();
  }

  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  private seconds(): string {
    return `${Math.round(this.headTimeoutMs / 100) / 10} s`;
  }

  private report(): void {
    this.#timer = null;
    if (this.#unreported === 0) return;
    this.#lastLogAt = this.now();
    const n = this.#unreported;
    this.#unreported = 0;
    this.log(`closed ${n} more connection${n === 1 ? '' : 's'} for a request head slower than ${this.seconds()} (${this.#total} since start)`);
  }
}
