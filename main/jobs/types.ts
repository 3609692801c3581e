// The job ledger's contract (SPEC §8.1): one record per job that passed through the proxy, with its
// owner, upstream, state, outputs and times. Quotas, isolation, GPU seconds, the monitor, notifications
// and upstream routing all read from it; no other module keeps its own copy of job state.

/** Owner of a job: an access key's id, or one of these two markers. */
export type JobOwner = string;
/** Jobs queued with the admin key. */
export const ADMIN_OWNER = '@admin';
/** Jobs queued on ComfyUI directly, not through the proxy: only admin sees them. */
export const FOREIGN_OWNER = '@foreign';

/** The owner a principal's jobs get: its key id, or ADMIN_OWNER for the admin key. */
export function ownerOf(principal: { keyId: string | null }): JobOwner {
  return principal.keyId ?? ADMIN_OWNER;
}

export type JobState = 'pending' | 'running' | 'success' | 'error' | 'interrupted' | 'cached' | 'deleted';
export const FINISHED_STATES: ReadonlySet<JobState> = new Set(['success', 'error', 'interrupted', 'cached', 'deleted']);

/** An output file named by an `executed` message or /history: what `/view` may serve to the owner. */
export interface JobOutput {
  filename: string;
  subfolder: string;
  /** 'output' | 'temp' (ComfyUI's folder types). */
  type: string;
}

export interface Job {
  promptId: string;
  owner: JobOwner;
  /** The key's name when the job was queued ('admin', or null for foreign jobs); for display only. */
  ownerName: string | null;
  clientId: string | null;
  /** Id of the upstream that runs it (its URL's origin); one upstream → always the same value. */
  upstream: string;
  /** ComfyUI's queue number, when known. */
  number: number | null;
  state: JobState;
  /** Epoch ms. */
  queuedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  outputs: JobOutput[];
  /** Why it failed (execution_error's message, "upstream went down", …); never a secret. */
  error: string | null;
  /** A workflow name from extra_data.extra_pnginfo.workflow, when the client sent one; for display. */
  workflowName: string | null;
  /** It runs paid API nodes on the owner's Comfy account (SPEC §8.8): counted in `cloud_jobs` and the daily cap. */
  cloud?: boolean;
  /**
   * Set when the proxy chose the job's place in ComfyUI's queue by fair order (SPEC §12): the owner's `share`
   * then. Its `number` is then the job's virtual start time; absent for admin's front/numbered and foreign jobs.
   */
  share?: number;
  /** GPU milliseconds the proxy expected the job to take when it queued it (from the owner's recent jobs). */
  estimatedMs?: number;
  /** ComfyUI's own `execution_start` timestamp (epoch ms, ComfyUI's clock), when it gave one. */
  comfyStart?: number;
  /** ComfyUI's own run time: `execution_start` to `execution_success|error|interrupted`, when it gave both (SPEC §11). */
  gpuMs?: number;
}

/**
 * GPU time of a finished job (SPEC §11): ComfyUI's own start-to-end time where it gave timestamps (newer
 * servers, in WS messages and /history), else the start-to-finish the proxy saw; a cached job ran nothing.
 */
export function gpuMsOf(job: Pick<Job, 'state' | 'gpuMs' | 'startedAt' | 'finishedAt'>): number {
  if (job.state === 'cached') return 0;
  if (job.gpuMs !== undefined) return Math.max(0, job.gpuMs);
  return job.startedAt !== null && job.finishedAt !== null ? Math.max(0, job.finishedAt - job.startedAt) : 0;
}

/** Where a running job is (from its `executing` / `progress` messages): in memory only, never persisted. */
export interface JobProgress {
  /** Id of the node executing now, when known. */
  node: string | null;
  /** The current node's sampler progress (value/max), 0/0 when unknown. */
  value: number;
  max: number;
  /** Nodes finished so far (each switch to another node counts one). */
  nodesDone: number;
}

/**
 * What a change to the ledger was; listeners (usage, monitor, notifications) get one per change. `progress`
 * (a running job moved to another node or sampler step) is frequent, changes nothing persisted, and is sent
 * only to listeners that subscribed with `{progress: true}`. `accepted`: ComfyUI took a queued job, so its
 * queue number (its place, SPEC §12) is known.
 */
export type JobEventType = 'queued' | 'accepted' | 'started' | 'finished' | 'progress';
export interface JobEvent {
  type: JobEventType;
  /** A copy of the job after the change. */
  job: Job;
}

/** A `{type, data}` message from ComfyUI's /ws, already parsed. */
export interface ComfyWsMessage {
  type: string;
  data: Record<string, unknown>;
}

export type SubmittedJob = Pick<Job, 'promptId' | 'owner' | 'ownerName' | 'clientId' | 'upstream' | 'number'> & {
  workflowName?: string | null;
  cloud?: boolean;
  share?: number;
  estimatedMs?: number;
  /** Epoch ms. */
  at: number;
};

export interface JobQuery {
  owner?: JobOwner;
  upstream?: string;
  states?: readonly JobState[];
  /** Only jobs queued at or after this epoch ms. */
  since?: number;
  /** Newest first; default 100. */
  limit?: number;
}

export interface JobLedgerApi {
  /**
   * A `POST /prompt` about to be forwarded, under the prompt_id it will have (the client's own, checked, or
   * one the proxy chose), so WS messages that overtake ComfyUI's HTTP answer already find their owner.
   * Counts as pending at once (the queue quota).
   */
  recordSubmitted(job: SubmittedJob): Job;
  /** ComfyUI accepted it: its number, and its id when an older ComfyUI ignored the one the proxy chose. */
  confirmSubmitted(promptId: string, acceptedId: string, number: number | null): void;
  /** ComfyUI refused it (invalid prompt, upstream error): the record is dropped. */
  submissionFailed(promptId: string): void;
  /** One JSON message relayed from an upstream's /ws (any socket; duplicates are harmless). */
  observeWsMessage(upstream: string, message: ComfyWsMessage, at: number): void;
  /** A `/history` or `/history/{id}` body from that upstream: fills outputs and final states. */
  observeHistory(upstream: string, history: unknown, at: number): void;
  /** Jobs removed from ComfyUI's queue by a delete or clear. */
  markDeleted(promptIds: readonly string[], at: number): void;
  /** The upstream went down: its pending and running jobs become `error` with this reason; returns them. */
  failUpstream(upstream: string, reason: string, at: number): Job[];

  get(promptId: string): Job | undefined;
  /** O(1). undefined when the ledger never saw it (a foreign job or a made-up id). */
  ownerOfJob(promptId: string): JobOwner | undefined;
  /** The job the ledger believes is running on that upstream (previews carry no prompt id). */
  runningOn(upstream: string): Job | undefined;
  /** Where a job that ran in this process is (node, step, nodes done); undefined for others. */
  progressOf(promptId: string): JobProgress | undefined;
  /** Its owner only: O(1) and allocation-free, asked once per relayed preview frame. */
  runningOwner(upstream: string): JobOwner | undefined;
  /** Pending + running jobs of an owner; O(1) (the `max_queued` quota). */
  activeCount(owner: JobOwner): number;
  /** Every pending and running job (copies without outputs); as many as are queued, not the whole ledger. */
  activeJobs(): Job[];
  /** Whether one of the owner's jobs produced this file; O(1) (the `/view` rule). */
  ownsOutput(owner: JobOwner, type: string, subfolder: string, filename: string): boolean;
  /** The upstream of the newest job of `owner` (admin: anyone's) that produced this file; O(1) per producer (`/view` routing, SPEC §10). */
  upstreamOfOutput(owner: JobOwner, type: string, subfolder: string, filename: string): string | undefined;
  list(query?: JobQuery): Job[];
  /**
   * Called after every change; returns the unsubscribe function. Listeners must not throw. `progress` events
   * (several a second while a sampler runs) only reach listeners that ask for them.
   */
  subscribe(listener: (event: JobEvent) => void, options?: { progress?: boolean }): () => void;
}

/** A job record with nothing known yet but its id, owner, upstream and when it was queued. */
export function blankJob(promptId: string, owner: JobOwner, upstream: string, at: number): Job {
  const times = { queuedAt: at, startedAt: null, finishedAt: null };
  return { promptId, owner, ownerName: null, clientId: null, upstream, number: null, state: 'pending', ...times, outputs: [], error: null, workflowName: null };
}
