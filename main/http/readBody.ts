// Reads a small request body into memory with a byte cap and a stall timeout. The cap is counted while
// reading, so an oversized body is refused (413) without being held. The stall timeout exists because the
// server's requestTimeout is 0 (big uploads stream for as long as they take): without it, a client could
// open `POST /auth/login`, send a few bytes and hold the socket and this buffer forever.
import type { IncomingMessage } from 'node:http';
import { CompanionError } from '../common/errors';

/** A body the proxy reads may go this long without a byte before it is refused with 408. */
export const BODY_IDLE_MS = 30_000;
/** After a 408, the socket is closed this long later (time for the answer to go out first). */
const CLOSE_GRACE_MS = 1_000;

export interface ReadBodyOptions {
  capBytes: number;
  /** What the 413 says, e.g. "A mask upload may be at most 64 MiB." */
  tooLargeMessage?: string;
  idleMs?: number;
}

export function readBody(req: IncomingMessage, o: ReadBodyOptions): Promise<Buffer> {
  const tooLarge = () => {
    // Stop buffering; let the rest drain to nowhere so the 413 can still be delivered.
    req.resume();
    return new CompanionError('payload_too_large', o.tooLargeMessage ?? `Request body is larger than ${o.capBytes} bytes`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > o.capBytes) return Promise.reject(tooLarge());
  const idleMs = o.idleMs ?? BODY_IDLE_MS;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | null = null;
    const done = (err: Error | null) => {
      if (timer) clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        const socket = req.socket;
        setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
        done(new CompanionError('request_timeout', `The request body stalled: no bytes for ${Math.round(idleMs / 1000)} s.`));
      }, idleMs);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > o.capBytes) return done(tooLarge());
      chunks.push(chunk);
      arm();
    };
    const onEnd = () => done(null);
    const onError = (err: Error) => done(err);
    const onAborted = () => done(new CompanionError('invalid_request', 'The client closed the connection mid-body.'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
    arm();
  });
}
