// `POST /prompt` under the sharing rules (SPEC §2.4, §8.2, §8.3): the proxy reads the (small) JSON body,
// gives the job a client_id and a prompt_id when it has none, checks that the client_id is the caller's,
// applies the queue and jobs quotas, adds the Comfy Cloud key, records the job in the ledger, sends it to
// the upstream with the shortest queue and tells the ledger what ComfyUI answered.
import { randomUUID } from 'node:crypto';
import { CompanionError } from '../../errors';
import { workflowNameOf } from '../../jobs/jobMessages';
import { closestToLimit, rateLimitHeaders } from '../rateLimitHeaders';
import { isQuotaRefusal, refundJob, takeJob } from '../quotas';
import { readJsonBody } from '../readJsonBody';
import { sendError } from '../respond';
import { exchange, jsonOf } from '../upstreamExchange';
import { answerRaw, type TenancyDeps, type TenancyRequest } from './context';

/** ComfyUI workflows with embedded metadata run to a few MB; beyond this the proxy refuses (413). */
export const PROMPT_BODY_CAP_BYTES = 16 * 1024 * 1024;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function submitPrompt(deps: TenancyDeps, r: TenancyRequest): Promise<void> {
  const parsed = await readJsonBody(r.req, PROMPT_BODY_CAP_BYTES);
  if (!isObject(parsed)) throw new CompanionError('invalid_request', 'The prompt must be a JSON object such as {"prompt": {...}}.');
  const body: Json = { ...parsed };
  if (body.extra_data !== undefined && !isObject(body.extra_data)) {
    throw new CompanionError('invalid_request', 'Invalid field "extra_data": expected an object.');
  }
  const extra: Json = { ...((body.extra_data as Json | undefined) ?? {}) };

  // ComfyUI takes the top-level client_id over extra_data's (server.py post_prompt).
  const given = typeof body.client_id === 'string' && body.client_id ? body.client_id : typeof extra.client_id === 'string' && extra.client_id ? extra.client_id : null;
  const clientId = given ?? deps.defaultClientId(r.owner);
  if (!deps.clientIds.claim(clientId, r.owner)) {
    throw new CompanionError('client_id_in_use', `client_id "${clientId}" is in use by another access key; use your own, or none.`);
  }
  body.client_id = clientId;

  const promptId = typeof body.prompt_id === 'string' && body.prompt_id ? body.prompt_id : randomUUID();
  const existingOwner = deps.ledger.ownerOfJob(promptId);
  if (existingOwner !== undefined && existingOwner !== r.owner && !r.admin) {
    throw new CompanionError('forbidden', `prompt_id "${promptId}" belongs to another job; leave it out to get a fresh one.`);
  }
  body.prompt_id = promptId;

  const decisions = deps.limiter ? takeJob(deps.limiter, r.principal, deps.ledger.activeCount(r.owner), deps.now()) : [];
  if (isQuotaRefusal(decisions)) {
    sendError(r.res, decisions.code, decisions.message, decisions.headers, decisions.status);
    return;
  }
  const closest = closestToLimit([...decisions, ...(r.requests ? [r.requests] : [])]);
  const limitHeaders = closest ? rateLimitHeaders(closest, closest.policy) : {};

  const cloudKey = deps.cloudKey();
  if (cloudKey && !(typeof extra.api_key_comfy_org === 'string' && extra.api_key_comfy_org)) extra.api_key_comfy_org = cloudKey;
  body.extra_data = extra;

  const upstream = deps.upstreamsForNewJob()[0];
  if (!upstream) {
    if (deps.limiter) refundJob(deps.limiter, r.principal);
    throw new CompanionError('upstream_unavailable', 'No ComfyUI server is reachable right now; the job was not queued.');
  }
  deps.ledger.recordSubmitted({
    promptId,
    owner: r.owner,
    ownerName: r.principal.keyName,
    clientId,
    upstream: upstream.id,
    number: null,
    workflowName: workflowNameOf(extra),
    at: deps.now(),
  });
  let answer;
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
    deps.ledger.submissionFailed(promptId);
    if (deps.limiter) refundJob(deps.limiter, r.principal);
    throw err;
  }
  const json = jsonOf(answer.body);
  if (answer.status === 200 && isObject(json) && typeof json.prompt_id === 'string') {
    deps.ledger.confirmSubmitted(promptId, json.prompt_id, typeof json.number === 'number' ? json.number : null);
  } else {
    deps.ledger.submissionFailed(promptId);
    if (deps.limiter) refundJob(deps.limiter, r.principal);
  }
  const redacted = cloudKey ? Buffer.from(answer.body.toString('utf8').replaceAll(cloudKey, '[redacted]'), 'utf8') : answer.body;
  answerRaw(r.res, answer.status, answer.headers['content-type'], redacted, limitHeaders);
}
