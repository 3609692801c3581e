// Keeps the ledger true for jobs whose WebSocket messages no socket through the proxy saw (SPEC §8.1, §8.2):
// a script that queues without a WebSocket gets a client_id nobody listens on, so ComfyUI's execution
// messages reach no one. Without this its jobs would stay "pending" for ever: max_queued never frees, /history
// shows nothing and its outputs cannot be viewed. Whenever the proxy reads an upstream's queue anyway (a
// /queue read, a /history read, a submission the queue quota would refuse), jobs the ledger believes active
// that ComfyUI no longer lists are looked up in /history: finished ones get their state and outputs, ones
// gone without a trace (deleted on ComfyUI directly) leave the count.
import { exchange, jsonOf } from '../forward/upstreamExchange';
import type { OutgoingHttpHeaders } from 'node:http';
import type { UpstreamTarget } from '../forward/upstreamTarget';
import { promptIdOfItem, type SharingDeps, type SharingRequest, type Upstream } from './context';

/** Headers for an upstream read: the caller's (a request's) or the proxy's own (the settler's). */
type HeadersFor = (target: UpstreamTarget) => OutgoingHttpHeaders;

/** Jobs looked up per sync; the rest wait for the next one. */
const MAX_LOOKUPS = 64;
const LOOKUP_CONCURRENCY = 4;

/**
 * The jobs ComfyUI had accepted (it answered their POST /prompt, so they were in its queue) before the
 * queue read that will be compared with this snapshot was sent.
 */
export function activeSnapshot(deps: SharingDeps, upstreamId: string): string[] {
  // activeJobs() walks the pending and running jobs only, not the whole ledger (read on every /queue).
  return deps.ledger
    .activeJobs()
    .filter((j) => j.upstream === upstreamId && j.number !== null)
    .map((j) => j.promptId);
}

/** Prompt ids in a /queue answer (running and pending), or null when the answer is not a queue. */
export function queuedIds(queue: unknown): Set<string> | null {
  if (typeof queue !== 'object' || queue === null) return null;
  const q = queue as { queue_running?: unknown; queue_pending?: unknown };
  if (!Array.isArray(q.queue_running) || !Array.isArray(q.queue_pending)) return null;
  const ids = new Set<string>();
  for (const item of [...q.queue_running, ...q.queue_pending]) {
    const id = promptIdOfItem(item);
    if (id !== null) ids.add(id);
  }
  return ids;
}

/**
 * Whether a raw /queue answer might no longer list one of the snapshot's jobs: false when every id appears in it as
 * a JSON string (`"id"`), so there is nothing to settle and the answer need not be parsed for it. An id that does
 * not appear is certainly gone; one that does is listed, unless another queued job's text quotes that id (the job
 * is then settled by a later read instead of this one).
 */
export function mayHaveVanished(raw: Buffer, snapshot: readonly string[]): boolean {
  return snapshot.some((id) => !raw.includes(`"${id}"`));
}

/** Above this many active jobs, scanning a history answer for each id costs more than parsing it once. */
const MAX_SCANNED_IDS = 8;

/**
 * Whether a raw /history answer of `upstreamId` can tell the ledger anything: it names (as a JSON string) a job
 * the ledger still thinks active there, whose end and outputs it would learn. Finished jobs' outputs are already
 * known (from the socket, or the settler's read of `/history/{id}`). True, to be safe, when there are too many
 * active jobs to scan for.
 */
export function mayFinishActiveJob(deps: SharingDeps, upstreamId: string, raw: Buffer): boolean {
  const ids = deps.ledger
    .activeJobs()
    .filter((j) => j.upstream === upstreamId)
    .map((j) => j.promptId);
  if (ids.length > MAX_SCANNED_IDS) return true;
  return ids.some((id) => raw.includes(`"${id}"`));
}

/** Settles the snapshot's jobs that the queue answer no longer lists. Never throws. */
export async function settleVanished(deps: SharingDeps, headersFor: HeadersFor, upstream: Upstream, snapshot: readonly string[], queue: unknown): Promise<void> {
  const listed = queuedIds(queue);
  if (listed === null) return;
  const gone = snapshot.filter((id) => !listed.has(id) && isActive(deps, id)).slice(0, MAX_LOOKUPS);
  let next = 0;
  const worker = async () => {
    while (next < gone.length) {
      const id = gone[next++] as string;
      try {
        const a = await exchange(upstream.target, {
          method: 'GET',
          path: `/history/${encodeURIComponent(id)}`,
          headers: headersFor(upstream.target),
          responseTimeoutMs: deps.responseTimeoutMs,
        });
        const history = a.status === 200 ? jsonOf(a.body) : null;
        if (typeof history !== 'object' || history === null) continue;
        if (id in history) deps.ledger.observeHistory(upstream.id, history, deps.now());
        // Neither queued nor in history: deleted on ComfyUI directly (a pending job leaves the count).
        else deps.ledger.markDeleted([id], deps.now());
      } catch {
        /* the next sync tries again */
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOOKUP_CONCURRENCY, gone.length) }, worker));
}

/** Reads the queue of every upstream where the owner has jobs the ledger believes active, and settles them. */
export async function syncOwner(deps: SharingDeps, r: SharingRequest): Promise<void> {
  const upstreamIds = new Set(deps.ledger.list({ owner: r.owner, states: ['pending', 'running'], limit: Number.MAX_SAFE_INTEGER }).map((j) => j.upstream));
  await Promise.all(
    [...upstreamIds].map(async (id) => {
      const upstream = deps.upstreamById(id);
      if (!upstream) return;
      const snapshot = activeSnapshot(deps, id);
      try {
        const a = await exchange(upstream.target, { method: 'GET', path: '/queue', headers: r.upstreamHeaders(upstream.target), responseTimeoutMs: deps.responseTimeoutMs });
        if (a.status === 200) await settleVanished(deps, (t) => r.upstreamHeaders(t), upstream, snapshot, jsonOf(a.body));
      } catch {
        /* ComfyUI unreachable: nothing to learn now */
      }
    }),
  );
}

function isActive(deps: SharingDeps, id: string): boolean {
  const state = deps.ledger.get(id)?.state;
  return state === 'pending' || state === 'running';
}
