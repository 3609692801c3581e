// Changes to jobs under the sharing rules (SPEC §8.3, §10): queue and history deletes forward only the
// caller's ids, each to the upstream that has the job; `clear` is admin only; `/interrupt` stops a job only
// when it is the caller's, naming its prompt_id so a newer ComfyUI cannot stop someone else's by accident.
import { CompanionError } from '../../common/errors';
import { ADMIN_OWNER } from '../../jobs/types';
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

/** `POST /queue` and `POST /history` with `{"delete":[ids]}` and/or `{"clear":true}`. */
export async function changeQueueOrHistory(deps: SharingDeps, r: SharingRequest, which: 'queue' | 'history', path: string): Promise<void> {
  const body = await readObject(r);
  if (body.clear === true && !r.admin) {
    throw new CompanionError('forbidden', `Clearing the whole ${which} is for the admin key only; delete your own jobs with {"delete": [ids]}.`);
  }
  const asked = Array.isArray(body.delete) ? body.delete.filter((x): x is string => typeof x === 'string') : [];
  const ids = r.admin ? asked : asked.filter((id) => deps.ledger.ownerOfJob(id) === r.owner);
  const groups = byUpstream(deps, ids, r.admin);
  const targets = body.clear === true ? deps.liveUpstreams() : [...groups.keys()];
  let last: { status: number; type?: string; body: Buffer } | null = null;
  for (const upstream of targets) {
    const part: Json = {};
    if (body.clear === true) part.clear = true;
    const mine = groups.get(upstream);
    if (mine) part.delete = mine;
    const a = await post(deps, r, upstream, path, part);
    last = { status: a.status, type: a.headers['content-type'], body: a.body };
    if (a.status >= 400) break;
  }
  const now = deps.now();
  if (which === 'queue') {
    deps.ledger.markDeleted(ids, now);
    if (body.clear === true) {
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
  const mine = deps.liveUpstreams().flatMap((u) => {
    const job = deps.ledger.runningOn(u.id);
    return job && job.owner === r.owner && r.owner !== ADMIN_OWNER ? [{ u, id: job.promptId }] : [];
  });
  if (mine.length === 0) throw new CompanionError('forbidden', 'The job running now is not one of yours; you can only interrupt your own jobs.');
  let status = 200;
  for (const { u, id } of mine) {
    const a = await post(deps, r, u, path, { prompt_id: id });
    if (a.status >= 400) status = a.status;
  }
  answerRaw(r.res, status, 'text/plain; charset=utf-8', Buffer.alloc(0), r.responseHeaders);
}

async function forwardInterrupt(deps: SharingDeps, r: SharingRequest, targets: Upstream[], path: string, body: Json): Promise<void> {
  let last: { status: number; type?: string; body: Buffer } = { status: 200, body: Buffer.alloc(0) };
  for (const u of targets) {
    const a = await post(deps, r, u, path, body);
    last = { status: a.status, type: a.headers['content-type'], body: a.body };
  }
  answerRaw(r.res, last.status, last.type ?? 'text/plain; charset=utf-8', last.body, r.responseHeaders);
}
