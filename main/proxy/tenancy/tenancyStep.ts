// The sharing step of the request pipeline (SPEC §8.3, §8.7): picks the rule a request falls under and
// either answers it (prompt, queue, history, interrupt: read and rewritten by the proxy) or returns what
// the streaming forwarder needs (a `/view` the caller may see, with the served-file headers).
import type { OutgoingHttpHeaders } from 'node:http';
import { CompanionError } from '../../errors';
import type { TenancyDeps, TenancyRequest } from './context';
import { fileParamProblem, fileResponseHeaders, fileRouteOf, mayView } from './fileRules';
import { changeQueueOrHistory, interrupt } from './jobControl';
import { getJob, listJobs } from './jobsApi';
import { readHistory, readHistoryOne, readQueue } from './jobViews';
import { submitPrompt } from './promptSubmission';
import { tenancyRuleFor } from './tenancyRoutes';

export type TenancyOutcome =
  | { kind: 'answered' }
  | { kind: 'forward'; pathAndQuery: string; fileHeaders: ((h: OutgoingHttpHeaders) => void) | null };

function fileHeadersFor(family: NonNullable<ReturnType<typeof fileRouteOf>>, filename: string | null) {
  return (h: OutgoingHttpHeaders) => fileResponseHeaders(family, h, filename);
}

/** Throws CompanionError for refusals (400 path tricks, 403 not yours, 404 another key's file). */
export async function tenancyStep(deps: TenancyDeps, r: TenancyRequest, pathAndQuery: string): Promise<TenancyOutcome> {
  const method = r.req.method ?? 'GET';
  const family = fileRouteOf(r.url.pathname);
  if (family) {
    const problem = fileParamProblem(family, r.url);
    if (problem) throw new CompanionError('invalid_request', problem);
  }
  const match = tenancyRuleFor(method, r.url.pathname);
  // ComfyUI's router decodes the path; the proxy forwards the form its rule was decided on.
  const query = pathAndQuery.slice(r.url.pathname.length);
  const canonical = match ? match.path + query : pathAndQuery;
  const fileHeaders = family ? fileHeadersFor(family, r.url.searchParams.get('filename')) : null;
  switch (match?.rule) {
    case 'submit':
      await submitPrompt(deps, r);
      return { kind: 'answered' };
    case 'queue-read':
      await readQueue(deps, r, canonical);
      return { kind: 'answered' };
    case 'history-read':
      await readHistory(deps, r, canonical);
      return { kind: 'answered' };
    case 'history-one': {
      const id = match.id ?? '';
      const prefix = match.path.startsWith('/api/') ? '/api/history/' : '/history/';
      await readHistoryOne(deps, r, id, prefix + encodeURIComponent(id) + query);
      return { kind: 'answered' };
    }
    case 'queue-write':
      await changeQueueOrHistory(deps, r, 'queue', match.path);
      return { kind: 'answered' };
    case 'history-write':
      await changeQueueOrHistory(deps, r, 'history', match.path);
      return { kind: 'answered' };
    case 'interrupt':
      await interrupt(deps, r, match.path);
      return { kind: 'answered' };
    case 'jobs-read':
      await listJobs(deps, r);
      return { kind: 'answered' };
    case 'job-one':
      await getJob(deps, r, match.id ?? '');
      return { kind: 'answered' };
    case 'view':
      if (!mayView(deps.ledger, r.owner, r.url)) throw new CompanionError('not_found', 'No such file among your jobs\' outputs.');
      return { kind: 'forward', pathAndQuery: canonical, fileHeaders };
    default:
      return { kind: 'forward', pathAndQuery, fileHeaders };
  }
}
