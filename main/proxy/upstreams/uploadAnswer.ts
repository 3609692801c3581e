// `POST /upload/image|mask` with several upstreams (SPEC §10): the file is streamed to every live one at
// once (uploadFanout.ts; a key's mask, already read by the sharing rules, is sent as it is) and the client gets the answer of the first upstream, in list order, that took it.
// Which upstreams stored it under that same name is returned for the upload registry (a server whose input
// folder already held another file of that name renames the upload, so it does not hold *this* file).
import type { OutgoingHttpHeaders } from 'node:http';
import { CompanionError } from '../../common/errors';
import { sendCompanionError, sendError } from '../../http/respond';
import type { SharingRequest, Upstream } from '../sharing/context';
import { describeUpstreamFailure, type UpstreamTimeouts } from '../forward/upstreamTimeouts';
import { jsonOf } from '../forward/upstreamExchange';
import { exchange } from '../forward/upstreamExchange';
import { teeRequest, type LegAnswer, type LegFailure } from './uploadFanout';
import type { UploadRef } from './uploadRegistry';

export interface UploadOutcome {
  /** The file as the client was told it was stored, when an upstream took it. */
  ref: UploadRef | null;
  /** Upstreams holding exactly that file under that name. */
  holders: string[];
  /** Upstreams that refused the connection (to be checked at once). */
  refused: string[];
}

function refOf(a: LegAnswer): UploadRef | null {
  if (a.status !== 200) return null;
  const j = jsonOf(a.body) as { name?: unknown; subfolder?: unknown; type?: unknown } | null;
  if (!j || typeof j.name !== 'string') return null;
  return { name: j.name, subfolder: typeof j.subfolder === 'string' ? j.subfolder : '', type: typeof j.type === 'string' ? j.type : 'input' };
}

const sameRef = (a: UploadRef | null, b: UploadRef) => a !== null && a.name === b.name && a.subfolder === b.subfolder && a.type === b.type;

export async function answerUpload(
  r: SharingRequest,
  live: readonly Upstream[],
  path: string,
  fileHeaders: ((h: OutgoingHttpHeaders) => void) | null,
  timeouts: UpstreamTimeouts,
): Promise<UploadOutcome> {
  const { answers, failures } = await teeRequest(r.req, r.body ?? r.req, r.res, live, path, (u) => r.upstreamHeaders(u.target), timeouts);
  return settle(r, answers, failures, fileHeaders);
}

/** A small upload the sharing rules already read (a key's mask, maskUpload.ts), sent to every live upstream. */
export async function answerBufferedUpload(r: SharingRequest, live: readonly Upstream[], path: string, body: Buffer, timeouts: UpstreamTimeouts): Promise<UploadOutcome> {
  const settled = await Promise.allSettled(
    live.map((u) => exchange(u.target, { method: 'POST', path, headers: r.upstreamHeaders(u.target), body, capBytes: 1024 * 1024, responseTimeoutMs: timeouts.responseMs })),
  );
  const answers: LegAnswer[] = [];
  const failures: LegFailure[] = [];
  settled.forEach((s, i) => {
    const upstream = live[i] as Upstream;
    if (s.status === 'fulfilled') answers.push({ upstream, ...s.value });
    else failures.push({ upstream, error: ((s.reason as { cause?: unknown }).cause ?? s.reason) as NodeJS.ErrnoException });
  });
  return settle(r, answers, failures, null);
}

function settle(r: SharingRequest, answers: LegAnswer[], failures: LegFailure[], fileHeaders: ((h: OutgoingHttpHeaders) => void) | null): UploadOutcome {
  const refused = failures.filter((f) => f.error.code === 'ECONNREFUSED').map((f) => f.upstream.id);
  const chosen = answers.find((a) => a.status === 200) ?? answers[0];
  if (!chosen) {
    const first = failures[0];
    // The sharing rules refused the form as it streamed (uploadCheck.ts): that refusal is the answer.
    const refusal = failures.find((f) => f.error instanceof CompanionError)?.error;
    if (refusal instanceof CompanionError) {
      if (!r.res.headersSent) sendCompanionError(r.res, refusal);
      return { ref: null, holders: [], refused };
    }
    const failure = describeUpstreamFailure(first?.error ?? Object.assign(new Error('no answer'), { code: 'ECONNRESET' }), first?.upstream.target.origin ?? 'the upstreams');
    if (!r.res.headersSent) sendError(r.res, failure.code, `The upload reached no ComfyUI server. ${failure.detail}`, failure.headers, failure.status);
    return { ref: null, holders: [], refused };
  }
  if (r.res.destroyed) return { ref: null, holders: [], refused };
  const headers: OutgoingHttpHeaders = {
    ...r.responseHeaders,
    'content-type': chosen.headers['content-type'] ?? 'application/json; charset=utf-8',
    'content-length': chosen.body.length,
  };
  fileHeaders?.(headers);
  r.res.writeHead(chosen.status, headers);
  r.res.end(chosen.body);
  const ref = refOf(chosen);
  const holders = ref ? answers.filter((a) => sameRef(refOf(a), ref)).map((a) => a.upstream.id) : [];
  return { ref, holders, refused };
}
