// Reads of ComfyUI's queue and history under the sharing rules (SPEC §8.3, §10): each caller sees only
// its own jobs (admin sees all), another key's job id answers as an unknown id does (`{}`), and with
// several upstreams the answers are merged. The Comfy credentials older servers echo are removed.
import { ADMIN_OWNER, type JobOwner } from '../../jobs/types';
import { exchange, jsonOf } from '../upstreamExchange';
import { answerJson, answerRaw, promptIdOfItem, scrubQueueItem, type TenancyDeps, type TenancyRequest, type Upstream } from './context';

const HISTORY_FETCH_CONCURRENCY = 8;
const DEFAULT_OWN_HISTORY = 1000;

function visible(deps: TenancyDeps, owner: JobOwner, promptId: string | null): boolean {
  if (owner === ADMIN_OWNER) return true;
  return promptId !== null && deps.ledger.ownerOfJob(promptId) === owner;
}

async function getJson(deps: TenancyDeps, r: TenancyRequest, upstream: Upstream, path: string): Promise<{ status: number; json: unknown; raw: Buffer; type?: string }> {
  const answer = await exchange(upstream.target, {
    method: 'GET',
    path,
    headers: r.upstreamHeaders(upstream.target),
    responseTimeoutMs: deps.responseTimeoutMs,
  });
  return { status: answer.status, json: jsonOf(answer.body), raw: answer.body, type: answer.headers['content-type'] };
}

export async function readQueue(deps: TenancyDeps, r: TenancyRequest, path: string): Promise<void> {
  const upstreams = deps.liveUpstreams();
  const answers = await Promise.all(upstreams.map((u) => getJson(deps, r, u, path)));
  const running: unknown[] = [];
  const pending: unknown[] = [];
  for (const a of answers) {
    if (a.status !== 200 || typeof a.json !== 'object' || a.json === null) {
      if (upstreams.length === 1) return answerRaw(r.res, a.status, a.type, a.raw, r.responseHeaders);
      continue;
    }
    const q = a.json as { queue_running?: unknown; queue_pending?: unknown };
    for (const [list, into] of [[q.queue_running, running], [q.queue_pending, pending]] as const) {
      if (!Array.isArray(list)) continue;
      for (const item of list) if (visible(deps, r.owner, promptIdOfItem(item))) into.push(scrubQueueItem(item));
    }
  }
  // Merged queues keep ComfyUI's order within each server; numbers are per server.
  answerJson(r.res, 200, { queue_running: running, queue_pending: pending }, r.responseHeaders);
}

function scrubHistory(history: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, entry] of Object.entries(history)) {
    out[id] = typeof entry === 'object' && entry !== null && 'prompt' in entry ? { ...entry, prompt: scrubQueueItem((entry as { prompt: unknown }).prompt) } : entry;
  }
  return out;
}

/** `/history/{id}`: only the owner's (or admin's); anything else answers `{}` like an unknown id. */
export async function readHistoryOne(deps: TenancyDeps, r: TenancyRequest, promptId: string, path: string): Promise<void> {
  if (!visible(deps, r.owner, promptId)) {
    return answerJson(r.res, 200, {}, r.responseHeaders);
  }
  const recorded = deps.ledger.get(promptId)?.upstream;
  const candidates = recorded !== undefined ? [deps.upstreamById(recorded)].filter((u): u is Upstream => !!u) : deps.liveUpstreams();
  for (const upstream of candidates) {
    const a = await getJson(deps, r, upstream, path);
    if (a.status !== 200 || typeof a.json !== 'object' || a.json === null) return answerRaw(r.res, a.status, a.type, a.raw, r.responseHeaders);
    deps.ledger.observeHistory(upstream.id, a.json, deps.now());
    if (Object.keys(a.json).length > 0 || candidates.length === 1) return answerJson(r.res, 200, scrubHistory(a.json as Record<string, unknown>), r.responseHeaders);
  }
  answerJson(r.res, 200, {}, r.responseHeaders);
}

/**
 * `/history[?max_items=N]`. Admin: each upstream's answer, merged. A key: its own jobs fetched one by one
 * from the ledger's list (bounded by max_items), because ComfyUI's max_items counts everyone's jobs.
 */
export async function readHistory(deps: TenancyDeps, r: TenancyRequest, pathAndQuery: string): Promise<void> {
  const maxParam = Number(r.url.searchParams.get('max_items'));
  const max = Number.isInteger(maxParam) && maxParam > 0 ? maxParam : null;
  const merged: Record<string, unknown> = {};
  if (r.admin) {
    const upstreams = deps.liveUpstreams();
    const answers = await Promise.all(upstreams.map((u) => getJson(deps, r, u, pathAndQuery).then((a) => ({ u, a }))));
    for (const { u, a } of answers) {
      if (a.status !== 200 || typeof a.json !== 'object' || a.json === null) {
        if (upstreams.length === 1) return answerRaw(r.res, a.status, a.type, a.raw, r.responseHeaders);
        continue;
      }
      deps.ledger.observeHistory(u.id, a.json, deps.now());
      Object.assign(merged, a.json);
    }
    return answerJson(r.res, 200, scrubHistory(merged), r.responseHeaders);
  }
  const finished = ['success', 'error', 'interrupted', 'cached'] as const;
  const jobs = deps.ledger.list({ owner: r.owner, states: finished, limit: max ?? DEFAULT_OWN_HISTORY }).reverse();
  const prefix = r.url.pathname.startsWith('/api/') ? '/api/history/' : '/history/';
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const upstream = job ? deps.upstreamById(job.upstream) : undefined;
      if (!job || !upstream) continue;
      const a = await getJson(deps, r, upstream, prefix + encodeURIComponent(job.promptId)).catch(() => null);
      if (!a || a.status !== 200 || typeof a.json !== 'object' || a.json === null) continue;
      deps.ledger.observeHistory(upstream.id, a.json, deps.now());
      const entry = (a.json as Record<string, unknown>)[job.promptId];
      if (entry !== undefined) merged[job.promptId] = entry;
    }
  };
  await Promise.all(Array.from({ length: Math.min(HISTORY_FETCH_CONCURRENCY, jobs.length) }, worker));
  // Oldest first, like ComfyUI's dict order.
  const ordered: Record<string, unknown> = {};
  for (const job of jobs) if (merged[job.promptId] !== undefined) ordered[job.promptId] = merged[job.promptId];
  answerJson(r.res, 200, scrubHistory(ordered), r.responseHeaders);
}
