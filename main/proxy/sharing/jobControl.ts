// Changes to jobs under the sharing rules (SPEC §8.3, §10): queue and history deletes forward only the
// caller's ids, each to the upstream that has the job; a key's `clear` clears its own jobs (the web UI's
// Clear buttons act on the queue it shows), admin's everyone's; `/interrupt` stops a job only when it is the
// caller's, naming its prompt_id so a newer ComfyUI cannot stop someone else's by accident, and a key whose
// jobs all wait gets its next one taken out of the queue (docs/sharing.md, "What a key's web UI shows").
import { CompanionError } from '../../common/errors';
import { firstToRun } from '../../jobs/queueOrder';
import { ADMIN_OWNER, type JobOwner, type JobState } from '../../jobs/types';
import { readJsonBody } from '../../http/readJsonBody';
import { exchange } from '../forward/upstreamExchange';
import { answerRaw, type SharingDeps, type SharingRequest, type Upstream } from './context';

const BODY_CAP = 1024 * 1024;

type Json = Record<string, unknown>;

async function readObject(r: SharingRequest): Promise<Json> {
  const body = (await readJsonBody(r.req, BODY_CAP)) ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CompanionError('invalid_request', 'The body must be a JSON object.');
  return body as Json;
}

async function post(deps: SharingDeps, r: SharingRequest, upstream: Upstream, path: string, body: Json) {
  return exchange(upstream.target, {
    method: 'POST',
    path,
    headers: { ...r.upstreamHeaders(upstream.target), 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
    responseTimeoutMs: deps.responseTimeoutMs,
  });
}

/** Groups prompt ids by the upstream the ledger recorded (unknown ids go to every live upstream, admin only). */
function byUpstream(deps: SharingDeps, ids: readonly string[], includeUnknown: boolean): Map<Upstream, string[]> {
  const groups = new Map<Upstream, string[]>();
  const add = (u: Upstream, id: string) => groups.set(u, [...(groups.get(u) ?? []), id]);
  for (const id of ids) {
    const recorded = deps.ledger.get(id)?.upstream;
    const u = recorded !== undefined ? deps.upstreamById(recorded) : undefined;
    if (u) add(u, id);
    else if (includeUnknown) for (const live of deps.liveUpstreams()) add(live, id);
  }
  return groups;
}

const HISTORY_STATES: readonly JobState[] = ['success', 'error', 'interrupted', 'cached'];

/** What a key's `clear` covers: its pending jobs (ComfyUI's clear leaves the running one) or its finished ones. */
function ownIds(deps: SharingDeps, owner: JobOwner, which: 'queue' | 'history'): string[] {
  const states = which === 'queue' ? (['pending'] as const) : HISTORY_STATES;
  return deps.ledger.list({ owner, states, limit: Number.MAX_SAFE_INTEGER }).map((j) => j.promptId);
}

/** `POST /queue` and `POST /history` with `{"delete":[ids]}` and/or `{"clear":true}`. */
export async function changeQueueOrHistory(deps: SharingDeps, r: SharingRequest, which: 'queue' | 'history', path: string): Promise<void> {
  const body = await readObject(r);
  const asked = Array.isArray(body.delete) ? body.delete.filter((x): x is string => typeof x === 'string') : [];
  const clearAll = body.clear === true && r.admin;
  // A key's clear: its own jobs only, sent as deletes; nobody else's queue or history is touched.
  const cleared = body.clear === true && !r.admin ? ownIds(deps, r.owner, which) : [];
  const ids = r.admin ? asked : [...new Set([...asked.filter((id) => deps.ledger.ownerOfJob(id) === r.owner), ...cleared])];
  const groups = byUpstream(deps, ids, r.admin);
  const targets = clearAll ? deps.liveUpstreams() : [...groups.keys()];
  let last: { status: number; type?: string; body: Buffer } | null = null;
  for (const upstream of targets) {
    const part: Json = {};
    if (clearAll) part.clear = true;
    const mine = groups.get(upstream);
    if (mine) part.delete = mine;
    const a = await post(deps, r, upstream, path, part);
    last = { status: a.status, type: a.headers['content-type'], body: a.body };
    if (a.status >= 400) break;
  }
  const now = deps.now();
  if (which === 'queue') {
    deps.ledger.markDeleted(ids, now);
    if (clearAll) {
      const pending = deps.ledger.list({ states: ['pending'], limit: Number.MAX_SAFE_INTEGER });
      deps.ledger.markDeleted(pending.map((j) => j.promptId), now);
    }
  }
  // Nothing of the caller's to delete: ComfyUI would have answered 200 with an empty body.
  if (!last) return answerRaw(r.res, 200, 'text/plain; charset=utf-8', Buffer.alloc(0), r.responseHeaders);
  answerRaw(r.res, last.status, last.type, last.body, r.responseHeaders);
}

/** `POST /interrupt` `{}` or `{"prompt_id": id}`. */
export async function interrupt(deps: SharingDeps, r: SharingRequest, path: string): Promise<void> {
  const body = await readObject(r);
  const named = typeof body.prompt_id === 'string' && body.prompt_id ? body.prompt_id : null;
  if (named !== null) {
    const owner = deps.ledger.ownerOfJob(named);
    if (!r.admin && owner !== r.owner) throw new CompanionError('forbidden', 'That job is not one of yours; you can only interrupt your own jobs.');
    const recorded = deps.ledger.get(named)?.upstream;
    // An older ComfyUI ignores prompt_id and stops whatever runs: a key's interrupt is forwarded only while
    // its named job is the one running there (ComfyUI would do nothing for a pending one anyway).
    if (!r.admin && (recorded === undefined || deps.ledger.runningOwner(recorded) !== r.owner || deps.ledger.runningOn(recorded)?.promptId !== named)) {
      return answerRaw(r.res, 200, 'text/plain; charset=utf-8', Buffer.alloc(0), r.responseHeaders);
    }
    const targets = recorded !== undefined ? [deps.upstreamById(recorded)].filter((u): u is Upstream => !!u) : deps.liveUpstreams();
    return forwardInterrupt(deps, r, targets, path, { ...body, prompt_id: named });
  }
  if (r.admin) return forwardInterrupt(deps, r, deps.liveUpstreams(), path, body);
  // No prompt_id: the caller means "stop my running job". Only allowed while the running job is theirs.
  const running = deps.liveUpstreams().flatMap((u) => {
    const job = deps.ledger.runningOn(u.id);
    return job ? [{ u, job }] : [];
  });
  const mine = running.filter(({ job }) => job.owner === r.owner && r.owner !== ADMIN_OWNER).map(({ u, job }) => ({ u, id: job.promptId }));
  if (mine.length === 0) return cancelNextWaiting(deps, r, path, running.length > 0);
  let status = 200;
  for (const { u, id } of mine) {
    const a = await post(deps, r, u, path, { prompt_id: id });
    if (a.status >= 400) status = a.status;
  }
  answerRaw(r.res, status, 'text/plain; charset=utf-8', Buffer.alloc(0), r.responseHeaders);
}

/**
 * A key none of whose jobs runs. Its web UI shows its own queue and enables "Cancel current run" while that
 * queue is not empty, so with jobs waiting the press means the one that would run next: it leaves the queue
 * (as a delete would take it). With none, the refusal says what is true: nothing runs, or another key's job.
 */
async function cancelNextWaiting(deps: SharingDeps, r: SharingRequest, path: string, somethingRuns: boolean): Promise<void> {
  const next = firstToRun(deps.ledger.list({ owner: r.owner, states: ['pending'], limit: Number.MAX_SAFE_INTEGER }));
  const upstream = next ? deps.upstreamById(next.upstream) : undefined;
  if (!next || !upstream) {
    throw new CompanionError(
      'forbidden',
      somethingRuns
        ? 'The job running now is another key\'s, and you have no job queued: you can only interrupt your own jobs.'
        : 'Nothing is running now, and you have no job queued: there is nothing of yours to interrupt.',
    );
  }
  const a = await post(deps, r, upstream, path.replace(/interrupt$/, 'queue'), { delete: [next.promptId] });
  if (a.status < 400) deps.ledger.markDeleted([next.promptId], deps.now());
  answerRaw(r.res, a.status, a.headers['content-type'] ?? 'text/plain; charset=utf-8', a.body, r.responseHeaders);
}

async function forwardInterrupt(deps: SharingDeps, r: SharingRequest, targets: Upstream[], path: string, body: Json): Promise<void> {
  let last: { status: number; type?: string; body: Buffer } = { status: 200, body: Buffer.alloc(0) };
  for (const u of targets) {
    const a = await post(deps, r, u, path, body);
    last = { status: a.status, type: a.headers['content-type'], body: a.body };
  }
  answerRaw(r.res, last.status, last.type ?? 'text/plain; charset=utf-8', last.body, r.responseHeaders);
}
