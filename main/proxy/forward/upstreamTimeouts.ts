// Timeouts of one proxied exchange (SPEC §9): connecting to the upstream, waiting for its response head
// once the request body was sent (`--upstream-timeout`), and a client upload or a download that makes no
// progress. Each failure destroys the upstream request with an error the forwarder turns into an answer.
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { ErrorCode } from '../../common/errors';

export interface UpstreamTimeouts {
  /** TCP (and TLS) connect to the upstream. */
  connectMs: number;
  /** From the end of the request body to the upstream's response head. */
  responseMs: number;
  /** An upload or download with no bytes moving for this long is cut. */
  stallMs: number;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { connectMs: 5_000, responseMs: 60_000, stallMs: 60_000 };

export class UpstreamTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly phase: 'connect' | 'response', readonly afterMs: number) {
    super(`upstream ${phase} timed out after ${afterMs} ms`);
  }
}

export class StalledTransferError extends Error {
  readonly code = 'ESTALLED';
  constructor(readonly direction: 'upload' | 'download', readonly afterMs: number) {
    super(`${direction} stalled for ${afterMs} ms`);
  }
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Arms the connect and response-head timers of an upstream request. */
export function watchUpstreamRequest(upReq: ClientRequest, t: UpstreamTimeouts): void {
  let connectTimer: NodeJS.Timeout | undefined;
  let headTimer: NodeJS.Timeout | undefined;
  const clear = () => {
    clearTimeout(connectTimer);
    clearTimeout(headTimer);
  };
  upReq.once('socket', (socket: Socket) => {
    if (!socket.connecting) return; // a kept-alive connection
    connectTimer = setTimeout(() => upReq.destroy(new UpstreamTimeoutError('connect', t.connectMs)), t.connectMs);
    socket.once('encrypted' in socket ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
  });
  upReq.once('finish', () => {
    headTimer = setTimeout(() => upReq.destroy(new UpstreamTimeoutError('response', t.responseMs)), t.responseMs);
  });
  upReq.once('response', clear);
  upReq.once('close', clear);
}

/** Calls `onStall` when `stream` emits no data for `stallMs` (the peer stopped sending, or stopped reading). */
export function cutWhenStalled(stream: Readable, stallMs: number, onStall: () => void): void {
  const timer = setTimeout(onStall, stallMs);
  const stop = () => clearTimeout(timer);
  // refresh() re-arms the same timer in O(1): no allocation per chunk.
  stream.on('data', () => timer.refresh());
  stream.once('end', stop);
  stream.once('close', stop);
}

export interface UpstreamFailure {
  status: number;
  code: ErrorCode;
  /** Headline of the HTML page shown to a browser navigation. */
  title: string;
  detail: string;
  headers: Record<string, string>;
}

/** What the client is told when the upstream exchange failed before a response head was sent. */
export function describeUpstreamFailure(err: NodeJS.ErrnoException, upstreamOrigin: string): UpstreamFailure {
  if (err instanceof UpstreamTimeoutError) {
    const detail =
      err.phase === 'connect'
        ? `ComfyUI at ${upstreamOrigin} did not accept a connection within ${seconds(err.afterMs)}.`
        : `ComfyUI at ${upstreamOrigin} did not answer within ${seconds(err.afterMs)} (--upstream-timeout); it may be hung or busy.`;
    return { status: 504, code: 'upstream_timeout', title: 'ComfyUI did not answer', detail, headers: {} };
  }
  if (err instanceof StalledTransferError) {
    const detail = `The request body stalled: no data arrived for ${seconds(err.afterMs)}, so the upload was cut off.`;
    return { status: 408, code: 'timeout', title: 'The upload stalled', detail, headers: { connection: 'close' } };
  }
  const detail = `ComfyUI at ${upstreamOrigin} is not reachable (${err.code ?? err.message}).`;
  return { status: 502, code: 'upstream_unavailable', title: 'ComfyUI is not reachable', detail, headers: {} };
}
