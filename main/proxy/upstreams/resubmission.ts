// Whether a job whose submission to one upstream failed may go to the next (SPEC §10), without ever running
// it twice. Two cases qualify:
// - the connection was refused: nothing was sent, so nothing can run there;
// - the connection was reset or closed before any answer AND the upstream is then found gone (connections
//   refused). This is a ComfyUI dying at that instant: its kernel still accepts the bytes and resets the
//   connection for the ~80 ms the process takes to exit. ComfyUI's queue lives in the process's memory
//   (execution.py PromptQueue; nothing is persisted), so a job that reached a process that then exited is
//   gone with it and cannot run there later.
// Anything else — an answer of any kind (even a 500, even half of one), a timeout, an upstream that answers
// again, or one that keeps resetting connections without refusing them — is answered as before (502/504):
// the job may be queued there, and sending it elsewhere could run it twice.
import { CompanionError } from '../../common/errors';
import { upstreamGetJson, type UpstreamTarget } from '../forward/upstreamTarget';

export type SubmitFailure = 'refused' | 'reset' | 'other';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** What a failed submission exchange says about the upstream; only a failure before any answer counts. */
export function submitFailure(err: unknown): SubmitFailure {
  if (!(err instanceof CompanionError) || err.code !== 'upstream_unavailable') return 'other';
  const cause = err.cause as NodeJS.ErrnoException | undefined;
  // upstreamExchange.ts attaches the socket error as the cause only when no response head had arrived.
  if (!cause) return 'other';
  if (cause.code === 'ECONNREFUSED') return 'refused';
  if ((cause.code && RESET_CODES.has(cause.code)) || cause.message === 'socket hang up') return 'reset';
  return 'other';
}

export type UpstreamFate = 'gone' | 'answering' | 'unknown';

export interface GoneCheckOptions {
  /** How long to keep asking while connections are still reset (a process exiting), ms. */
  windowMs: number;
  /** Pause between two attempts, ms. */
  pauseMs: number;
  /** One attempt without an answer for this long: unknown (a hung server may still hold the job). */
  timeoutMs: number;
}

export const GONE_CHECK: GoneCheckOptions = { windowMs: 3000, pauseMs: 100, timeoutMs: 1000 };

/** Is the upstream gone (refusing connections), answering, or unknown? Asks `GET /prompt` until one is clear. */
export async function checkGone(target: UpstreamTarget, headers: Record<string, string>, opts: GoneCheckOptions = GONE_CHECK): Promise<UpstreamFate> {
  const deadline = performance.now() + opts.windowMs;
  for (;;) {
    try {
      await upstreamGetJson(target, '/prompt', headers, opts.timeoutMs);
      return 'answering'; // any answer: the process is alive, the job may be in its queue
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ECONNREFUSED') return 'gone';
      const reset = (e.code !== undefined && RESET_CODES.has(e.code)) || e.message === 'socket hang up';
      if (!reset || performance.now() + opts.pauseMs >= deadline) return 'unknown';
    }
    await new Promise((resolve) => setTimeout(resolve, opts.pauseMs));
  }
}
