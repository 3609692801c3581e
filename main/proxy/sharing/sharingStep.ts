// The sharing step of the request pipeline (SPEC §8.3, §8.7): picks the rule a request falls under and
// either answers it (prompt, queue, history, interrupt: read and rewritten by the proxy) or returns what
// the streaming forwarder needs (a `/view` the caller may see, with the served-file headers).
import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { CompanionError } from '../../common/errors';
import type { SharingDeps, SharingRequest, Upstream } from './context';
import { fileParamProblem, fileResponseHeaders, fileRouteOf, mayView, viewedFile } from './fileRules';
import { changeQueueOrHistory, interrupt } from './jobControl';
import { getJob, listJobs } from './jobsApi';
import { readHistory, readHistoryOne, readQueue } from './jobViews';
import { uploadMask } from './maskUpload';
import { keyObjectInfo } from './objectInfoRule';
import { checkedUploadBody } from './uploadCheck';
import { recordAnswer, recordStored } from './uploadRecord';
import { submitPrompt } from './promptSubmission';
import { sharingRuleFor } from './sharingRoutes';
import { answerServerLogsForKey, serverLogsRoute } from '../guards/serverLogs';

export type SharingOutcome =
  | { kind: 'answered' }
  | {
      kind: 'forward';
      pathAndQuery: string;
      fileHeaders: ((h: OutgoingHttpHeaders) => void) | null;
      upstream?: Upstream;
      body?: Readable;
      /** Reads ComfyUI's small JSON answer as it streams by (where a key's upload was stored). */
      onAnswer?: (status: number, body: Buffer) => void;
    };

function fileHeadersFor(family: NonNullable<ReturnType<typeof fileRouteOf>>, filename: string | null) {
  return (h: OutgoingHttpHeaders) => fileResponseHeaders(family, h, filename);
}

const ANSWERED: SharingOutcome = { kind: 'answered' };
const answered = (work: Promise<unknown>): Promise<SharingOutcome> => work.then(() => ANSWERED);

/**
 * Throws CompanionError for refusals (400 path tricks, 403 not yours, 404 another key's file) — synchronously,
 * or through the promise. Rules that read or rewrite an exchange return a promise; a request that is simply
 * forwarded (most of them) gets its outcome at once, without a promise per request.
 */
export function sharingStep(deps: SharingDeps, r: SharingRequest, pathAndQuery: string): SharingOutcome | Promise<SharingOutcome> {
  const method = r.req.method ?? 'GET';
  const family = fileRouteOf(r.url.pathname);
  if (family) {
    const problem = fileParamProblem(family, r.url);
    if (problem) throw new CompanionError('invalid_request', problem);
  }
  const match = sharingRuleFor(method, r.url.pathname);
  // ComfyUI's router decodes the path: where a rule reads or rewrites the request (the view, mask and shared
  // reads) the proxy sends the form the rule was decided on; a plain forward goes as sent (decoded alike).
  const query = pathAndQuery.slice(r.url.pathname.length);
  const canonical = match ? match.path + query : pathAndQuery;
  // The name ComfyUI serves ("evil.svg [input]" is evil.svg): what the attachment rule looks at.
  const fileHeaders = family ? fileHeadersFor(family, family === 'view' ? viewedFile(r.url).filename : r.url.searchParams.get('filename')) : null;
  const forward: SharingOutcome = { kind: 'forward', pathAndQuery, fileHeaders };
  const orForward = (done: Promise<boolean>, otherwise = forward): Promise<SharingOutcome> => done.then((yes) => (yes ? ANSWERED : otherwise));
  switch (match?.rule) {
    case 'submit':
      return answered(submitPrompt(deps, r));
    case 'queue-read':
      return answered(readQueue(deps, r, canonical));
    case 'history-read':
      return answered(readHistory(deps, r, canonical));
    case 'history-one': {
      const id = match.id ?? '';
      const prefix = match.path.startsWith('/api/') ? '/api/history/' : '/history/';
      return answered(readHistoryOne(deps, r, id, prefix + encodeURIComponent(id) + query));
    }
    case 'queue-write':
      return answered(changeQueueOrHistory(deps, r, 'queue', match.path));
    case 'history-write':
      return answered(changeQueueOrHistory(deps, r, 'history', match.path));
    case 'interrupt':
      return answered(interrupt(deps, r, match.path));
    case 'jobs-read':
      return answered(listJobs(deps, r));
    case 'job-one':
      return answered(getJob(deps, r, match.id ?? ''));
    case 'mask-upload':
      return maskUpload(deps, r, match.path, canonical, fileHeaders);
    case 'view':
      if (!mayView(deps.ledger, r.owner, r.url, deps.sharedInputFolders())) throw new CompanionError('not_found', 'No such file among your jobs\' outputs or your uploads.');
      return { kind: 'forward', pathAndQuery: canonical, fileHeaders, upstream: deps.multi?.fileUpstream(r.owner, r.url) };
    case 'upload': {
      if (r.admin) return deps.multi ? orForward(deps.multi.upload(r, canonical, fileHeaders)) : forward;
      // A key's form is checked and sent into its own folder; where ComfyUI stored it is remembered (uploadRecord.ts).
      r.body = checkedUploadBody(deps, r);
      const checked: SharingOutcome = { ...forward, body: r.body, onAnswer: recordAnswer(deps, r) };
      return deps.multi ? orForward(deps.multi.upload(r, canonical, fileHeaders, (ref) => recordStored(deps, r, ref)), checked) : checked;
    }
    case 'object-info-one':
      return r.admin ? forward : answered(keyObjectInfo(deps, r, canonical, false));
    case 'server-logs': {
      const kind = r.admin ? null : serverLogsRoute(method, r.url.pathname);
      if (!kind) return forward;
      answerServerLogsForKey(r.res, kind, r.responseHeaders, new Date(deps.now()));
      return ANSWERED;
    }
    case 'object-info':
      if (!r.admin) return answered(keyObjectInfo(deps, r, canonical, true));
      return deps.multi ? orForward(deps.multi.sharedRead('object_info', r, canonical)) : forward;
    case 'system-stats':
      return deps.multi ? orForward(deps.multi.sharedRead('system_stats', r, canonical)) : forward;
    default:
      return forward;
  }
}

/** Admin's masks stream like any upload; a key's names an image that must be its own (maskUpload.ts). */
async function maskUpload(
  deps: SharingDeps,
  r: SharingRequest,
  path: string,
  canonical: string,
  fileHeaders: ((h: OutgoingHttpHeaders) => void) | null,
): Promise<SharingOutcome> {
  if (r.admin && deps.multi && (await deps.multi.upload(r, canonical, fileHeaders))) return ANSWERED;
  if (r.admin) return { kind: 'forward', pathAndQuery: canonical, fileHeaders };
  await uploadMask(deps, r, path);
  return ANSWERED;
}
