// Newer ComfyUI's `/api/jobs` and `/api/jobs/{id}` (server.py get_jobs / get_job_by_id) under the sharing
// rules: a key sees only its own jobs; another key's id answers ComfyUI's own 404 `{"error":"Job not found"}`.
// The list is fetched without limit/offset from every live upstream, filtered, merged, then paged here,
// so `pagination.total` counts only the caller's jobs.
import { ADMIN_OWNER } from '../../jobs/types';
import { exchange, jsonOf } from '../forward/upstreamExchange';
import { answerJson, answerRaw, type SharingDeps, type SharingRequest, type Upstream } from './context';

type JobJson = Record<string, unknown>;

function pageParam(q: URLSearchParams, name: string): number | null | 'bad' {
  const raw = q.get(name);
  if (raw === null) return null;
  if (!/^\s*\d+\s*$/.test(raw)) return 'bad';
  return Number(raw);
}

export async function listJobs(deps: SharingDeps, r: SharingRequest): Promise<void> {
  const upstreams = deps.liveUpstreams();
  if (r.owner === ADMIN_OWNER && upstreams.length === 1) {
    const a = await get(deps, r, upstreams[0] as Upstream, `/api/jobs${r.url.search}`);
    return answerRaw(r.res, a.status, a.headers['content-type'], a.body, r.responseHeaders);
  }
  const limit = pageParam(r.url.searchParams, 'limit');
  const offset = pageParam(r.url.searchParams, 'offset');
  if (limit === 'bad' || limit === 0 || offset === 'bad') {
    return answerJson(r.res, 400, { error: limit === 'bad' || limit === 0 ? 'limit must be a positive integer' : 'offset must be an integer' });
  }
  const query = new URLSearchParams(r.url.searchParams);
  query.delete('limit');
  query.delete('offset');
  const path = `/api/jobs${query.size ? `?${query}` : ''}`;
  const all: JobJson[] = [];
  for (const u of upstreams) {
    const a = await get(deps, r, u, path);
    const json = jsonOf(a.body) as { jobs?: unknown } | null;
    // ComfyUI's own validation errors (bad status or sort) are passed on as they are.
    if (a.status !== 200 || !json || !Array.isArray(json.jobs)) return answerRaw(r.res, a.status, a.headers['content-type'], a.body, r.responseHeaders);
    for (const job of json.jobs as JobJson[]) {
      if (r.owner === ADMIN_OWNER || (typeof job.id === 'string' && deps.ledger.ownerOfJob(job.id) === r.owner)) all.push(job);
    }
  }
  const from = offset ?? 0;
  const page = all.slice(from, limit === null ? undefined : from + limit);
  answerJson(r.res, 200, { jobs: page, pagination: { offset: from, limit, total: all.length, has_more: from + page.length < all.length } }, r.responseHeaders);
}

export async function getJob(deps: SharingDeps, r: SharingRequest, id: string): Promise<void> {
  const owner = deps.ledger.ownerOfJob(id);
  if (r.owner !== ADMIN_OWNER && owner !== r.owner) return answerJson(r.res, 404, { error: 'Job not found' }, r.responseHeaders);
  const recorded = deps.ledger.get(id)?.upstream;
  const candidates = recorded !== undefined ? [deps.upstreamById(recorded)].filter((u): u is Upstream => !!u) : deps.liveUpstreams();
  const path = `/api/jobs/${encodeURIComponent(id)}`;
  let last = null;
  for (const u of candidates) {
    last = await get(deps, r, u, path);
    if (last.status !== 404) break;
  }
  if (!last) return answerJson(r.res, 404, { error: 'Job not found' }, r.responseHeaders);
  answerRaw(r.res, last.status, last.headers['content-type'], last.body, r.responseHeaders);
}

function get(deps: SharingDeps, r: SharingRequest, u: Upstream, path: string) {
  return exchange(u.target, { method: 'GET', path, headers: r.upstreamHeaders(u.target), responseTimeoutMs: deps.responseTimeoutMs });
}
