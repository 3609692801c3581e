// `POST /prompt` under the sharing rules (SPEC §2.4, §8.2, §8.3): the proxy reads the (small) JSON body,
// gives the job a client_id and a prompt_id when it has none, checks that the client_id is the caller's,
// decides who pays for its paid API nodes (cloudUse.ts), applies the queue and jobs quotas, adds the Comfy
// Cloud key where allowed, gives it its place in ComfyUI's queue (fairOrder.ts), records the job in the
// ledger, sends it to the upstream with the shortest queue (the next one when the job cannot be on that one:
// refused, or reset by a server that is then gone) and tells the ledger what ComfyUI answered.
import { randomUUID } from 'node:crypto';
import { CompanionError } from '../../common/errors';
import { MAX_ID_LENGTH } from '../../jobs/clientIds';
import { workflowNameOf } from '../../jobs/jobMessages';
import { closestToLimit, rateLimitHeaders } from '../../http/rateLimitHeaders';
import { isQuotaRefusal, refundJob, takeJob } from '../../keys/quotas';
import { readJsonBody } from '../../http/readJsonBody';
import { sendError } from '../../http/respond';
import { exchange, jsonOf, type ExchangeResponse } from '../forward/upstreamExchange';
import { foreignFileIn } from './promptFiles';
import { answerRaw, type SharingDeps, type SharingRequest, type Upstream } from './context';
import { decideCloudUse } from './cloudUse';
import { gpuBudget } from './gpuBudget';
import { syncOwner } from './jobSync';
import type { QueuePlace } from './fairOrder';

/** A client-chosen prompt_id: ComfyUI uses it in file names and WS messages, so a plain, bounded token. */
const PROMPT_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** ComfyUI workflows with embedded metadata run to a few MB; beyond this the proxy refuses (413). */
export const PROMPT_BODY_CAP_BYTES = 16 * 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function submitPrompt(deps: SharingDeps, r: SharingRequest): Promise<void> {
  const parsed = await readJsonBody(r.req, PROMPT_BODY_CAP_BYTES);
  if (!isObject(parsed)) throw new CompanionError('invalid_request', 'The prompt must be a JSON object such as {"prompt": {...}}.');
  const body: Json = { ...parsed };
  if (body.extra_data !== undefined && !isObject(body.extra_data)) {
    throw new CompanionError('invalid_request', 'Invalid field "extra_data": expected an object.');
  }
  const extra: Json = { ...((body.extra_data as Json | undefined) ?? {}) };

  // ComfyUI takes the top-level client_id over extra_data's (server.py post_prompt).
  const given = typeof body.client_id === 'string' && body.client_id ? body.client_id : typeof extra.client_id === 'string' && extra.client_id ? extra.client_id : null;
  // ClientIdOwners refuses ids past its limit; say so instead of a misleading "in use by another key".
  if (given !== null && given.length > MAX_ID_LENGTH) throw new CompanionError('invalid_request', `client_id is too long (at most ${MAX_ID_LENGTH} characters).`);
  let clientId = given ?? deps.defaultClientId(r.owner);
  if (!deps.clientIds.claim(clientId, r.owner)) {
    if (given !== null) throw new CompanionError('client_id_in_use', `client_id "${clientId}" is in use by another access key; use your own, or none.`);
    // Someone else took the id this key's jobs get by default (it is derived from the key id): a fresh one
    // keeps the job private without blocking the key.
    clientId = `cac-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    deps.clientIds.claim(clientId, r.owner);
  }
  body.client_id = clientId;

  const promptId = typeof body.prompt_id === 'string' && body.prompt_id ? body.prompt_id : randomUUID();
  if (!PROMPT_ID.test(promptId)) {
    throw new CompanionError('invalid_request', 'Invalid field "prompt_id": use 1-128 letters, digits, "-", "_", "." or ":" (or leave it out).');
  }
  // A reused id would let ComfyUI's refusal erase the first job's record (and with it the queue quota).
  const holder = deps.ledger.ownerOfJob(promptId);
  const reused = holder !== undefined;
  if (reused && !r.admin && holder !== r.owner) {
    throw new CompanionError('forbidden', `prompt_id "${promptId}" belongs to another job; leave it out to get a fresh one.`);
  }
  if (reused && !r.admin) {
    throw new CompanionError('conflict', `prompt_id "${promptId}" is already taken by a job; leave it out to get a fresh one.`);
  }
  body.prompt_id = promptId;
  if (!r.admin) {
    const foreign = foreignFileIn(body.prompt, deps.ledger, r.owner);
    if (foreign !== null) throw new CompanionError('forbidden', `The workflow ${foreign}.`);
    // `front` and `number` set a job's place in the shared queue (server.py post_prompt): a key would jump
    // ahead of everyone else's work. A key's place is its fair one (fairOrder.ts); admin may still reorder.
    delete body.front;
    delete body.number;
  }

  // The owner's Comfy account first: a job refused for it must not use up a job of the hour.
  const readObjectInfo = async (u: Upstream) => {
    const info = await exchange(u.target, { method: 'GET', path: '/object_info', headers: r.upstreamHeaders(u.target), capBytes: 64 * 1024 * 1024, responseTimeoutMs: deps.responseTimeoutMs });
    return info.status === 200 ? jsonOf(info.body) : null;
  };
  const apiNodes = await deps.apiNodes.apiNodesIn(body.prompt, deps.liveUpstreams(), readObjectInfo);
  const cloud = decideCloudUse(r.principal, r.owner, apiNodes, extra, deps.ledger, deps.now());
  if (isQuotaRefusal(cloud)) {
    sendError(r.res, cloud.code, cloud.message, cloud.headers, cloud.status);
    return;
  }

  const budget = r.principal.keyId !== null && deps.gpuSecondsToday ? gpuBudget(r.principal, deps.gpuSecondsToday(r.principal.keyId), deps.now()) : null;
  if (isQuotaRefusal(budget)) {
    sendError(r.res, budget.code, budget.message, budget.headers, budget.status);
    return;
  }

  const take = () => (deps.limiter ? takeJob(deps.limiter, r.principal, deps.ledger.activeCount(r.owner), deps.now()) : []);
  let decisions = take();
  if (isQuotaRefusal(decisions) && decisions.headers['ratelimit-policy']?.startsWith('"queue"')) {
    // The ledger may not have seen jobs finish (no socket listened): ask ComfyUI before refusing.
    await syncOwner(deps, r);
    decisions = take();
  }
  if (isQuotaRefusal(decisions)) {
    sendError(r.res, decisions.code, decisions.message, decisions.headers, decisions.status);
    return;
  }
  const closest = closestToLimit([...decisions, ...(budget ? [budget] : []), ...(r.requests ? [r.requests] : [])]);
  const limitHeaders = closest ? rateLimitHeaders(closest, closest.policy) : {};

  const cloudKey = deps.cloudKey();
  if (cloudKey && cloud.inject) extra.api_key_comfy_org = cloudKey;
  body.extra_data = extra;

  const candidates = deps.upstreamsForNewJob(body.prompt);
  if (candidates.length === 0) {
    if (deps.limiter) refundJob(deps.limiter, r.principal);
    throw new CompanionError('upstream_unavailable', 'No ComfyUI server is reachable right now; the job was not queued.');
  }
  let answer: ExchangeResponse | undefined;
  let upstream: Upstream | undefined;
  const placeOn = deps.order.placer({ admin: r.admin, owner: r.owner, share: r.principal.share }, body);
  let place: QueuePlace | undefined;
  for (let i = 0; !answer; i++) {
    upstream = candidates[i] as Upstream;
    place = placeOn(upstream.id);
    deps.ledger.recordSubmitted({
      promptId,
      owner: r.owner,
      ownerName: r.principal.keyName,
      clientId,
      upstream: upstream.id,
      // The place is known before ComfyUI answers: the monitor shows the job where it will land, not last.
      number: place.number,
      workflowName: workflowNameOf(extra),
      cloud: cloud.cloudJob,
      share: place.share,
      estimatedMs: place.estimatedMs,
      at: deps.now(),
    });
    // Counted at once, so jobs sent together spread instead of all choosing the same shortest queue.
    deps.multi?.jobSending(upstream.id);
    try {
      answer = await exchange(upstream.target, {
        method: 'POST',
        path: r.url.pathname.startsWith('/api/') ? '/api/prompt' : '/prompt',
        headers: { ...r.upstreamHeaders(upstream.target), 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body), 'utf8'),
        capBytes: 4 * 1024 * 1024,
        responseTimeoutMs: deps.responseTimeoutMs,
      });
    } catch (err) {
      deps.multi?.jobAnswered(upstream.id, false);
      place.release();
      if (!reused) deps.ledger.submissionFailed(promptId);
      // Several upstreams (SPEC §10): the next one takes the job when it cannot be on this one.
      if (deps.multi && (await deps.multi.resubmit(upstream.id, err, i + 1 < candidates.length))) continue;
      if (deps.limiter) refundJob(deps.limiter, r.principal);
      throw err;
    }
  }
  const json = jsonOf(answer.body);
  const accepted = answer.status === 200 && isObject(json) && typeof json.prompt_id === 'string';
  if (upstream) deps.multi?.jobAnswered(upstream.id, accepted);
  if (accepted && isObject(json) && typeof json.prompt_id === 'string') {
    deps.ledger.confirmSubmitted(promptId, json.prompt_id, typeof json.number === 'number' ? json.number : (place?.number ?? null));
  } else {
    place?.release();
    if (!reused) deps.ledger.submissionFailed(promptId);
    if (deps.limiter) refundJob(deps.limiter, r.principal);
  }
  const redacted = cloudKey ? Buffer.from(answer.body.toString('utf8').replaceAll(cloudKey, '[redacted]'), 'utf8') : answer.body;
  answerRaw(r.res, answer.status, answer.headers['content-type'], redacted, limitHeaders);
}
