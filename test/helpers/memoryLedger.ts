// An in-memory test double of the job ledger contract (main/jobs/types.ts JobLedgerApi), enough for
// usage: submissions, ComfyUI's execution_* messages → started / finished events with the times given.
// The real JobLedger (main/jobs/jobLedger.ts) replaces it in production wiring.
import type { ComfyWsMessage, Job, JobEvent, JobLedgerApi, JobOwner, JobQuery, SubmittedJob } from '../../main/jobs/types';
import { FINISHED_STATES } from '../../main/jobs/types';

export class MemoryLedger implements JobLedgerApi {
  private readonly jobs = new Map<string, Job>();
  private readonly listeners = new Set<(event: JobEvent) => void>();
  private readonly waiters: { promptId: string; type: JobEvent['type']; resolve: (job: Job) => void }[] = [];

  recordSubmitted(s: SubmittedJob): Job {
    const existing = this.jobs.get(s.promptId);
    if (existing) return existing;
    const job: Job = { promptId: s.promptId, owner: s.owner, ownerName: s.ownerName, clientId: s.clientId, upstream: s.upstream, number: s.number, state: 'pending', queuedAt: s.at, startedAt: null, finishedAt: null, outputs: [], error: null, workflowName: s.workflowName ?? null };
    this.jobs.set(s.promptId, job);
    this.emit('queued', job);
    return job;
  }

  observeWsMessage(_upstream: string, message: ComfyWsMessage, at: number): void {
    const id = message.data.prompt_id;
    const job = typeof id === 'string' ? this.jobs.get(id) : undefined;
    if (!job || FINISHED_STATES.has(job.state)) return;
    if (message.type === 'execution_start' && job.state === 'pending') {
      job.state = 'running';
      job.startedAt = at;
      this.emit('started', job);
    } else if (message.type === 'execution_success' || message.type === 'execution_error' || message.type === 'execution_interrupted') {
      job.state = message.type === 'execution_success' ? 'success' : message.type === 'execution_error' ? 'error' : 'interrupted';
      job.finishedAt = at;
      this.emit('finished', job);
    }
  }

  /** Finishes a job as cached (ComfyUI ran nothing). */
  finishCached(promptId: string, at: number): void {
    const job = this.jobs.get(promptId);
    if (!job) return;
    job.state = 'cached';
    job.finishedAt = at;
    this.emit('finished', job);
  }

  /** Resolves when the job reaches this event (now or later). */
  waitFor(promptId: string, type: JobEvent['type']): Promise<Job> {
    const job = this.jobs.get(promptId);
    const reached = job && (type === 'queued' || (type === 'started' && job.startedAt !== null) || (type === 'finished' && job.finishedAt !== null));
    if (job && reached) return Promise.resolve({ ...job });
    return new Promise((resolve) => this.waiters.push({ promptId, type, resolve }));
  }

  observeHistory(): void {}
  markDeleted(): void {}
  failUpstream(): Job[] {
    return [];
  }
  get(promptId: string): Job | undefined {
    const job = this.jobs.get(promptId);
    return job ? { ...job } : undefined;
  }
  ownerOfJob(promptId: string): JobOwner | undefined {
    return this.jobs.get(promptId)?.owner;
  }
  runningOn(upstream: string): Job | undefined {
    return [...this.jobs.values()].find((j) => j.upstream === upstream && j.state === 'running');
  }
  activeCount(owner: JobOwner): number {
    return [...this.jobs.values()].filter((j) => j.owner === owner && (j.state === 'pending' || j.state === 'running')).length;
  }
  ownsOutput(): boolean {
    return false;
  }
  list(query: JobQuery = {}): Job[] {
    return [...this.jobs.values()].filter((j) => query.owner === undefined || j.owner === query.owner).reverse().slice(0, query.limit ?? 100);
  }
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(type: JobEvent['type'], job: Job): void {
    const copy = { ...job, outputs: [...job.outputs] };
    for (const l of this.listeners) l({ type, job: copy });
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.promptId === job.promptId && w.type === type) {
        this.waiters.splice(i, 1);
        w.resolve(copy);
      }
    }
  }
}
