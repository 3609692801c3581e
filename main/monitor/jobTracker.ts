// Follows ComfyUI's execution messages (relayed /ws JSON) into a short list of jobs with progress:
// running ones first, then the most recent finished ones. Tolerates duplicates (several sockets
// may relay the same message) and garbage.
import type { JobStatus, JobView } from './types';

const MAX_MESSAGE = 200;

interface WsMessage {
  type?: unknown;
  data?: Record<string, unknown>;
}

export class JobTracker {
  readonly #jobs = new Map<string, JobView>();
  readonly #maxFinished: number;
  readonly #maxRunning: number;

  constructor(options: { maxFinished?: number; maxRunning?: number } = {}) {
    this.#maxFinished = options.maxFinished ?? 20;
    this.#maxRunning = options.maxRunning ?? 100;
  }

  /** Applies one WS text message; returns true when the job list changed. */
  handle(text: string, nowMs: number): boolean {
    // Cheap pre-filter: most traffic is status/preview chatter.
    if (!text.includes('prompt_id')) return false;
    let msg: WsMessage;
    try {
      msg = JSON.parse(text) as WsMessage;
    } catch {
      return false;
    }
    const data = msg.data;
    if (typeof msg.type !== 'string' || !data || typeof data !== 'object') return false;
    const promptId = data.prompt_id;
    if (typeof promptId !== 'string' || promptId.length === 0 || promptId.length > 100) return false;
    const node = typeof data.node === 'string' || typeof data.node === 'number' ? String(data.node) : null;

    switch (msg.type) {
      case 'execution_start': {
        const job = this.#job(promptId, nowMs);
        job.status = 'running';
        return true;
      }
      case 'executing': {
        // An end marker for a prompt we never saw start is not worth a row.
        if (data.node === null && !this.#jobs.has(promptId)) return false;
        const job = this.#job(promptId, nowMs);
        if (job.status !== 'running') return false;
        // ComfyUI signals the end of a prompt with `executing` and node null.
        if (data.node === null) return this.#finish(job, 'success', null, nowMs);
        if (job.node !== null && job.node !== node) job.nodesDone++;
        job.node = node;
        job.value = 0;
        job.max = 0;
        return true;
      }
      case 'progress': {
        const job = this.#job(promptId, nowMs);
        if (job.status !== 'running') return false;
        const value = typeof data.value === 'number' ? data.value : 0;
        const max = typeof data.max === 'number' ? data.max : 0;
        if (node !== null) job.node = node;
        job.value = Math.max(0, value);
        job.max = Math.max(0, max);
        return true;
      }
      // `executed` (an output node's result) changes nothing shown: nodesDone counts node switches.
      case 'execution_success':
        return this.#finish(this.#job(promptId, nowMs), 'success', null, nowMs);
      case 'execution_error': {
        const text = typeof data.exception_message === 'string' ? data.exception_message : 'Execution error';
        return this.#finish(this.#job(promptId, nowMs), 'error', text.slice(0, MAX_MESSAGE), nowMs);
      }
      case 'execution_interrupted':
        return this.#finish(this.#job(promptId, nowMs), 'interrupted', 'Interrupted', nowMs);
      default:
        return false;
    }
  }

  /** Running jobs first (oldest first), then finished ones (newest first). */
  list(): JobView[] {
    const all = [...this.#jobs.values()];
    const running = all.filter((j) => j.status === 'running').sort((a, b) => a.startedAt - b.startedAt);
    // Finished jobs are re-inserted on finish, so reversed map order breaks timestamp ties newest-first.
    const done = all
      .filter((j) => j.status !== 'running')
      .reverse()
      .sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0));
    return [...running, ...done].map((j) => ({ ...j }));
  }

  #job(promptId: string, nowMs: number): JobView {
    let job = this.#jobs.get(promptId);
    if (!job) {
      // Names and owner are filled in by the monitor from /queue, /object_info and the job ledger.
      job = { promptId, status: 'running', startedAt: nowMs, finishedAt: null, node: null, nodeName: null, nodesTotal: null, ownerName: null, workflowName: null, value: 0, max: 0, nodesDone: 0, message: null };
      this.#jobs.set(promptId, job);
      this.#prune();
    }
    return job;
  }

  #finish(job: JobView, status: Exclude<JobStatus, 'running'>, message: string | null, nowMs: number): boolean {
    if (job.status !== 'running') return false;
    job.status = status;
    job.finishedAt = nowMs;
    job.message = message;
    if (status === 'success' && job.max > 0) job.value = job.max;
    this.#jobs.delete(job.promptId);
    this.#jobs.set(job.promptId, job);
    this.#prune();
    return true;
  }

  #prune(): void {
    const all = [...this.#jobs.values()];
    const done = all.filter((j) => j.status !== 'running').sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0));
    for (const j of done.slice(0, Math.max(0, done.length - this.#maxFinished))) this.#jobs.delete(j.promptId);
    const running = all.filter((j) => j.status === 'running').sort((a, b) => a.startedAt - b.startedAt);
    // A job whose end message was lost must not stay forever.
    for (const j of running.slice(0, Math.max(0, running.length - this.#maxRunning))) this.#jobs.delete(j.promptId);
  }
}
