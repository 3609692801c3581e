// Reads of ComfyUI's queue and history under the sharing rules (SPEC §8.3, §10): each caller sees only
// its own jobs (admin sees all), another key's job id answers as an unknown id does (`{}`), and with
// several upstreams the answers are merged. The Comfy credentials older servers echo are removed
// (echoedSecrets.ts); the admin's view of one upstream is ComfyUI's own bytes when they cannot hold one. Waiting
// jobs are listed in the order ComfyUI will run them (SPEC §12), not in its heap's order.
import { isLostJob, lostJobHistoryEntry } from '../../jobs/lostJobs';
import { ADMIN_OWNER, type JobOwner } from '../../jobs/types';
import { exchange, jsonOf } from '../forward/upstreamExchange';
import { activeSnapshot, mayFinishActiveJob, mayHaveVanished, settleVanished, syncOwner } from './jobSync';
import { answerJson, answerRaw, promptIdOfItem, type SharingDeps, type SharingRequest, type Upstream } from './context';
import { mayHoldSecret, scrubQueueItem } from './echoedSecrets';

const HISTORY_FETCH_CONCURRENCY = 8;
const DEFAULT_OWN_HISTORY = 1000;

function visible(deps: SharingDeps, owner: JobOwner, promptId: string | null): boolean {
  if (owner === ADMIN_OWNER) return true;
  return promptId !== null && deps.ledger.ownerOfJob(promptId) === owner;
}

/** An upstream's answer, parsed only when asked (the first `json` read). */
class JsonAnswer {
  #json: unknown;
  #parsed = false;
  constructor(
    readonly status: number,
    readonly raw: Buffer,
    readonly type: string | undefined,
  ) {}

  get json(): unknown {
    if (!this.#parsed) {
      this.#json = jsonOf(this.raw);
      this.#parsed = true;
    }
    return this.#json;
  }
}

async function getJson(deps: SharingDeps, r: SharingRequest, upstream: Upstream, path: string): Promise<JsonAnswer> {
  const answer = await exchange(upstream.target, {
    method: 'GET',
    path,
    headers: r.upstreamHeaders(upstream.target),
    responseTimeoutMs: deps.responseTimeoutMs,
  });
  return new JsonAnswer(answer.status, answer.body, answer.headers['content-type']);
}

/** ComfyUI's bytes as they came, for the admin's view of one upstream that holds no credential (nothing to remove). */
function relayAsIs(r: SharingRequest, a: JsonAnswer): void {
  answerRaw(r.res, a.status, a.type, a.raw, { 'cache-control': 'no-store', ...r.responseHeaders });
}

/** Python's `<` on queue items (number, prompt_id, …): the order ComfyUI's heap pops them in. */
function runOrder(a: unknown, b: unknown): number {
  const x = Array.isArray(a) ? a : [];
  const y = Array.isArray(b) ? b : [];
  const nx = typeof x[0] === 'number' ? x[0] : Infinity;
  const ny = typeof y[0] === 'number' ? y[0] : Infinity;
  if (nx !== ny) return nx < ny ? -1 : 1;
  const px = String(x[1]);
  const py = String(y[1]);
  return px < py ? -1 : px > py ? 1 : 0;
}

export async function readQueue(deps: SharingDeps, r: SharingRequest, path: string): Promise<void> {
  const upstreams = deps.liveUpstreams();
  const snapshots = upstreams.map((u) => activeSnapshot(deps, u.id));
  const answers = await Promise.all(upstreams.map((u) => getJson(deps, r, u, path)));
  const only = answers.length === 1 ? answers[0] : undefined;
  if (r.admin && only?.status === 200 && !mayHoldSecret(only.raw, deps.cloudKey()) && !mayHaveVanished(only.raw, snapshots[0] ?? [])) {
    return relayAsIs(r, only);
  }
  // The queue was read anyway: jobs the ledger still thinks active but ComfyUI no longer lists get settled.
  await Promise.all(upstreams.map((u, i) => (answers[i]?.status === 200 ? settleVanished(deps, (t) => r.upstreamHeaders(t), u, snapshots[i] ?? [], answers[i]?.json) : null)));
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
      const shown = list.filter((item) => visible(deps, r.owner, promptIdOfItem(item)));
      if (into === pending) shown.sort(runOrder);
      for (const item of shown) into.push(scrubQueueItem(item));
    }
  }
  // Merged queues: each server's waiting jobs in its run order, one server after the other (numbers are per server).
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
export async function readHistoryOne(deps: SharingDeps, r: SharingRequest, promptId: string, path: string): Promise<void> {
  if (!visible(deps, r.owner, promptId)) {
    return answerJson(r.res, 200, {}, r.responseHeaders);
  }
  const job = deps.ledger.get(promptId);
  const recorded = job?.upstream;
  // A job lost with its upstream (SPEC §10) answers as a failed one, not as unknown, while that server has no entry.
  const lost = job && isLostJob(job) ? { [promptId]: lostJobHistoryEntry(job) } : null;
  const candidates = recorded !== undefined ? [deps.upstreamById(recorded)].filter((u): u is Upstream => !!u) : deps.liveUpstreams();
  for (const upstream of candidates) {
    const a = await getJson(deps, r, upstream, path).catch((err: unknown) => {
      if (lost) return null;
      throw err;
    });
    if (!a) break;
    if (a.status !== 200 || typeof a.json !== 'object' || a.json === null) return answerRaw(r.res, a.status, a.type, a.raw, r.responseHeaders);
    deps.ledger.observeHistory(upstream.id, a.json, deps.now());
    if (Object.keys(a.json).length > 0) return answerJson(r.res, 200, scrubHistory(a.json as Record<string, unknown>), r.responseHeaders);
    if (candidates.length === 1 && !lost) return answerJson(r.res, 200, {}, r.responseHeaders);
  }
  answerJson(r.res, 200, lost ?? {}, r.responseHeaders);
}

/** The most history entries a key gets in one `/history` answer (its newest). */
export const MAX_OWN_HISTORY = 256;

/**
 * `/history[?max_items=N]`. Admin: each upstream's answer, merged. A key: its own jobs fetched one by one
 * from the ledger's list (bounded by max_items), because ComfyUI's max_items counts everyone's jobs.
 */
export async function readHistory(deps: SharingDeps, r: SharingRequest, pathAndQuery: string): Promise<void> {
  const maxParam = Number(r.url.searchParams.get('max_items'));
  const max = Number.isInteger(maxParam) && maxParam > 0 ? maxParam : null;
  const merged: Record<string, unknown> = {};
  if (r.admin) {
    const upstreams = deps.liveUpstreams();
    const answers = await Promise.all(upstreams.map((u) => getJson(deps, r, u, pathAndQuery).then((a) => ({ u, a }))));
    // Jobs lost with their upstream (SPEC §10) are in no server's history any more; the ledger still has them.
    const lostJobs = deps.ledger.list({ states: ['error'], limit: max ?? DEFAULT_OWN_HISTORY }).filter(isLostJob);
    const one = answers.length === 1 ? answers[0] : undefined;
    // ComfyUI's own bytes when there is nothing to remove, add or learn: no credential, no lost job, and no job
    // the ledger still thinks active is named (the answer is then not parsed at all).
    if (one && one.a.status === 200 && lostJobs.length === 0 && !mayHoldSecret(one.a.raw, deps.cloudKey()) && !mayFinishActiveJob(deps, one.u.id, one.a.raw)) {
      return relayAsIs(r, one.a);
    }
    for (const { u, a } of answers) {
      if (a.status !== 200 || typeof a.json !== 'object' || a.json === null) {
        if (upstreams.length === 1) return answerRaw(r.res, a.status, a.type, a.raw, r.responseHeaders);
        continue;
      }
      // Parsed for the ledger (outputs and final states it may have missed), whatever is answered.
      deps.ledger.observeHistory(u.id, a.json, deps.now());
      Object.assign(merged, a.json);
    }
    const lost = lostJobs.filter((j) => merged[j.promptId] === undefined);
    const only = answers.length === 1 ? answers[0]?.a : undefined;
    if (only && lost.length === 0 && !mayHoldSecret(only.raw, deps.cloudKey())) return relayAsIs(r, only);
    for (const job of lost.reverse()) merged[job.promptId] = lostJobHistoryEntry(job);
    return answerJson(r.res, 200, scrubHistory(merged), r.responseHeaders);
  }
  // Jobs finished where no proxied socket saw them (a script without a WebSocket) are learnt first.
  await syncOwner(deps, r);
  const finished = ['success', 'error', 'interrupted', 'cached'] as const;
  // Each entry is one upstream request: a key's max_items is capped so one call cannot ask for thousands.
  const limit = Math.min(max ?? DEFAULT_OWN_HISTORY, MAX_OWN_HISTORY);
  const jobs = deps.ledger.list({ owner: r.owner, states: finished, limit }).reverse();
  const prefix = r.url.pathname.startsWith('/api/') ? '/api/history/' : '/history/';
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      const upstream = job ? deps.upstreamById(job.upstream) : undefined;
      if (!job || !upstream) continue;
      const a = await getJson(deps, r, upstream, prefix + encodeURIComponent(job.promptId)).catch(() => null);
      const ok = a && a.status === 200 && typeof a.json === 'object' && a.json !== null;
      if (ok) deps.ledger.observeHistory(upstream.id, a.json, deps.now());
      const entry = ok ? (a.json as Record<string, unknown>)[job.promptId] : undefined;
      if (entry !== undefined) merged[job.promptId] = entry;
      else if (isLostJob(job)) merged[job.promptId] = lostJobHistoryEntry(job);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HISTORY_FETCH_CONCURRENCY, jobs.length) }, worker));
  // Oldest first, like ComfyUI's dict order.
  const ordered: Record<string, unknown> = {};
  for (const job of jobs) if (merged[job.promptId] !== undefined) ordered[job.promptId] = merged[job.promptId];
  answerJson(r.res, 200, scrubHistory(ordered), r.responseHeaders);
}
