// Streams one request body to several upstreams at once (SPEC §3, §10: an upload usable by a job on any
// upstream). A tee with backpressure: each chunk is written to every upstream, and the client is paused
// until the slowest has drained, so nothing is held beyond the sockets' own buffers whatever the file
// size. An upstream that fails part-way is dropped and the others go on; the small JSON answers are read.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ClientRequest } from 'node:http';
import type { Readable } from 'node:stream';
import { CompanionError } from '../../common/errors';
import type { Upstream } from '../sharing/context';
import { cutWhenStalled, StalledTransferError, watchUpstreamRequest, type UpstreamTimeouts } from '../forward/upstreamTimeouts';

export interface LegAnswer {
  upstream: Upstream;
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface LegFailure {
  upstream: Upstream;
  error: NodeJS.ErrnoException;
}

export interface TeeResult {
  /** In the order of the upstreams given. */
  answers: LegAnswer[];
  failures: LegFailure[];
}

const ANSWER_CAP = 1024 * 1024;
/** Once one upstream has answered, the others get this long to answer too (they received the same bytes). */
const STRAGGLER_GRACE_MS = 5_000;

interface Leg {
  upstream: Upstream;
  req: ClientRequest;
  settled: boolean;
  answer?: LegAnswer;
  failure?: LegFailure;
}

export function teeRequest(
  req: IncomingMessage,
  /** What is sent: `req` itself, or the sharing rules' checked copy of its body (uploadCheck.ts). */
  source: Readable,
  res: ServerResponse,
  upstreams: readonly Upstream[],
  path: string,
  headersFor: (u: Upstream) => OutgoingHttpHeaders,
  timeouts: UpstreamTimeouts,
): Promise<TeeResult> {
  return new Promise((resolve) => {
    const waiting = new Set<Leg>();
    let graceTimer: NodeJS.Timeout | null = null;
    const resumeIfDrained = () => {
      if (waiting.size === 0 && source.isPaused()) source.resume();
    };
    const settle = (leg: Leg, outcome: { answer?: LegAnswer; failure?: LegFailure }) => {
      if (leg.settled) return;
      leg.settled = true;
      Object.assign(leg, outcome);
      waiting.delete(leg);
      resumeIfDrained();
      if (outcome.answer && !graceTimer) {
        graceTimer = setTimeout(() => {
          for (const l of legs) if (!l.settled) l.req.destroy(Object.assign(new Error('no answer after the other upstreams answered'), { code: 'ETIMEDOUT' }));
        }, STRAGGLER_GRACE_MS);
        graceTimer.unref();
      }
      if (legs.every((l) => l.settled)) {
        if (graceTimer) clearTimeout(graceTimer);
        // Whatever the client still sends is read and dropped, so the answer reaches it.
        req.resume();
        resolve({
          answers: legs.flatMap((l) => (l.answer ? [l.answer] : [])),
          failures: legs.flatMap((l) => (l.failure ? [l.failure] : [])),
        });
      }
    };

    const legs: Leg[] = upstreams.map((u) => {
      const upReq = u.target.request({ hostname: u.target.hostname, port: u.target.port, method: req.method ?? 'POST', path, headers: headersFor(u), agent: u.target.agent });
      const leg: Leg = { upstream: u, req: upReq, settled: false };
      watchUpstreamRequest(upReq, timeouts);
      upReq.on('error', (error: NodeJS.ErrnoException) => settle(leg, { failure: { upstream: u, error } }));
      upReq.on('response', (upRes) => {
        const chunks: Buffer[] = [];
        let size = 0;
        upRes.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= ANSWER_CAP) chunks.push(c);
          else upRes.destroy(Object.assign(new Error('answer too large'), { code: 'E2BIG' }));
        });
        upRes.on('error', (error: NodeJS.ErrnoException) => settle(leg, { failure: { upstream: u, error } }));
        upRes.on('end', () => settle(leg, { answer: { upstream: u, status: upRes.statusCode ?? 502, headers: upRes.headers, body: Buffer.concat(chunks) } }));
      });
      return leg;
    });

    res.on('close', () => {
      if (!res.writableFinished) for (const l of legs) if (!l.settled) l.req.destroy();
    });
    cutWhenStalled(req, timeouts.stallMs, () => {
      for (const l of legs) if (!l.settled) l.req.destroy(new StalledTransferError('upload', timeouts.stallMs));
    });
    source.on('data', (chunk: Buffer) => {
      for (const leg of legs) {
        if (leg.settled || waiting.has(leg)) {
          if (!leg.settled) leg.req.write(chunk); // already waiting for drain: queue it, the client is paused
          continue;
        }
        if (!leg.req.write(chunk)) {
          waiting.add(leg);
          leg.req.once('drain', () => {
            waiting.delete(leg);
            resumeIfDrained();
          });
        }
      }
      if (waiting.size > 0) source.pause();
    });
    source.on('end', () => {
      for (const l of legs) if (!l.settled) l.req.end();
    });
    source.on('error', (err: Error) => {
      // A refusal by the sharing rules is kept as each leg's failure: it becomes the client's answer.
      for (const l of legs) if (!l.settled) l.req.destroy(err instanceof CompanionError ? err : undefined);
    });
  });
}
