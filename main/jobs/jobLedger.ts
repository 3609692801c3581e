// The job ledger (SPEC §8.1): every job submitted through the proxy, fed by prompt submissions, relayed
// WS messages and /history bodies. Indexed so every question the hot path asks is O(1): owner of a job,
// active jobs of an owner, whether an owner produced a file, the job running on an upstream. Bounded
// (oldest finished jobs go first), persisted in batches, and every change journaled as it happens (jobFile.ts).
import { ClientIdOwners } from './clientIds';
import { InputUploads } from './inputUploads';
import { readHistory, readWsMessage, type WsFact } from './jobMessages';
import { JobIndexes } from './jobIndexes';
import { JobEventHub } from './jobEvents';
import { JobProgressBoard } from './jobProgress';
import { queryJobs } from './jobQuery';
import { LedgerStore } from './ledgerStore';
import { ADMIN_OWNER, blankJob, FINISHED_STATES, FOREIGN_OWNER, type ComfyWsMessage, type Job, type JobEvent, type JobLedgerApi } from './types';
import type { JobOutput, JobOwner, JobProgress, JobQuery, JobState, SubmittedJob } from './types';
import { gauge } from '../common/sizeGauges';

export interface JobLedgerOptions {
  /** Persist to <dataDir>/jobs.json; omit for an in-memory ledger. */
  dataDir?: string;
  /** At least 10 000 (SPEC §8.1). */
  maxJobs?: number;
  /** Batch write interval, ms (default 2000); 0 = only on flush(). */
  flushIntervalMs?: number;
  onError?: (err: Error) => void;
}

export class JobLedger implements JobLedgerApi {
  readonly clientIds: ClientIdOwners;
  /** What each key uploaded into the input folder (SPEC §8.3 "Private uploads"), saved with the jobs. */
  readonly inputUploads: InputUploads;
  private readonly jobs = new Map<string, Job>();
  private readonly index = new JobIndexes();
  /** Jobs that ran at least one node (a job that ends without one was answered from cache). */
  private readonly executed = new Set<string>();
  /** Where jobs that ran in this process are (the monitor's progress bars); dropped with their job. */
  private readonly progress = new JobProgressBoard();
  private readonly events: JobEventHub;
  private readonly store: LedgerStore;
  private readonly maxJobs: number;
  private readonly onError: (err: Error) => void;

  constructor(options: JobLedgerOptions = {}) {
    this.onError = options.onError ?? (() => {});
    this.events = new JobEventHub(this.onError);
    this.maxJobs = Math.max(options.maxJobs ?? 10_000, 1);
    this.store = new LedgerStore({ ...options, onError: this.onError }, () => ({ jobs: [...this.jobs.values()], clients: this.clientIds.toJSON(), uploads: this.inputUploads.toJSON() }));
    const saved = this.store.read();
    for (const job of saved.jobs) this.insert(job, false);
    this.clientIds = new ClientIdOwners(saved.clients, (clientId, owner) => this.store.claimed(clientId, owner));
    this.inputUploads = new InputUploads(saved.uploads, () => this.store.snapshotChanged());
    gauge('ledger.jobs', this, (l) => l.jobs.size);
    gauge('ledger.executed', this, (l) => l.executed.size);
  }

  recordSubmitted(s: SubmittedJob): Job {
    const existing = this.jobs.get(s.promptId);
    if (existing && existing.owner !== FOREIGN_OWNER) return { ...existing };
    if (existing) this.remove(existing);
    // A foreign record means WS messages overtook the submission: keep what they told.
    const { owner, ownerName, clientId, number } = s;
    const job: Job = { ...(existing ?? blankJob(s.promptId, owner, s.upstream, s.at)), owner, ownerName, clientId, number, queuedAt: s.at, workflowName: s.workflowName ?? null };
    if (s.cloud) job.cloud = true;
    if (s.share !== undefined) job.share = s.share;
    if (s.estimatedMs !== undefined) job.estimatedMs = s.estimatedMs;
    this.insert(job);
    this.changed('queued', job);
    return { ...job };
  }

  confirmSubmitted(promptId: string, acceptedId: string, number: number | null): void {
    const job = this.jobs.get(promptId);
    if (!job) return;
    if (acceptedId !== promptId) {
      this.remove(job, true);
      const other = this.jobs.get(acceptedId);
      if (other) this.remove(other);
      this.insert({ ...job, promptId: acceptedId, number, state: other?.state ?? job.state, startedAt: other?.startedAt ?? null });
    } else {
      job.number = number;
      this.touched(job);
    }
    this.changed('accepted', this.jobs.get(acceptedId) ?? job);
    // The submission's 200 goes out after this: the job and its owner are on the disk itself first.
    this.store.sync();
  }

  submissionFailed(promptId: string): void {
    const job = this.jobs.get(promptId);
    if (job && !FINISHED_STATES.has(job.state) && job.startedAt === null) {
      this.remove(job, true);
    }
  }

  observeWsMessage(upstream: string, message: ComfyWsMessage, at: number): void {
    const fact = readWsMessage(message);
    if (fact) this.apply(upstream, fact, at);
  }

  observeHistory(upstream: string, history: unknown, at: number): void {
    for (const fact of readHistory(history)) {
      const job = this.jobs.get(fact.promptId);
      if (!job || job.upstream !== upstream) continue;
      this.addOutputs(job, fact.outputs);
      if (fact.startStamp !== null) job.comfyStart ??= fact.startStamp;
      if (fact.final && !FINISHED_STATES.has(job.state)) {
        this.clock(job, fact.endStamp ?? undefined);
        this.finish(job, fact.final, fact.error, at);
      }
    }
  }

  markDeleted(promptIds: readonly string[], at: number): void {
    for (const id of promptIds) {
      const job = this.jobs.get(id);
      // Deleting a running job from the queue does nothing in ComfyUI; only pending ones leave.
      if (job && job.state === 'pending') this.finish(job, 'deleted', null, at);
    }
  }

  failUpstream(upstream: string, reason: string, at: number): Job[] {
    const failed: Job[] = [];
    for (const job of this.jobs.values()) {
      if (job.upstream === upstream && !FINISHED_STATES.has(job.state)) {
        this.finish(job, 'error', reason, at);
        failed.push({ ...job });
      }
    }
    return failed;
  }

  get(promptId: string): Job | undefined {
    const job = this.jobs.get(promptId);
    return job ? { ...job, outputs: [...job.outputs] } : undefined;
  }

  progressOf(promptId: string): JobProgress | undefined {
    return this.progress.get(promptId);
  }

  ownerOfJob(promptId: string): JobOwner | undefined {
    return this.jobs.get(promptId)?.owner;
  }

  runningOn(upstream: string): Job | undefined {
    const id = this.index.runningId(upstream);
    return id === undefined ? undefined : this.get(id);
  }

  runningOwner(upstream: string): JobOwner | undefined {
    const id = this.index.runningId(upstream);
    return id === undefined ? undefined : this.jobs.get(id)?.owner;
  }

  activeCount(owner: JobOwner): number {
    return this.index.activeCount(owner);
  }

  activeJobs(): Job[] {
    return [...this.index.activeIdList()].flatMap((id) => this.jobs.get(id) ?? []).map((job) => ({ ...job, outputs: [] }));
  }

  ownsOutput(owner: JobOwner, type: string, subfolder: string, filename: string): boolean {
    return this.index.outputs.has(owner, type, subfolder, filename);
  }

  upstreamOfOutput(owner: JobOwner, type: string, subfolder: string, filename: string): string | undefined {
    return this.index.outputs.upstreamOf(owner === ADMIN_OWNER ? null : owner, type, subfolder, filename);
  }

  list(q: JobQuery = {}): Job[] {
    return queryJobs(this.jobs.values(), q);
  }

  subscribe(listener: (event: JobEvent) => void, options: { progress?: boolean } = {}): () => void {
    return this.events.subscribe(listener, options);
  }

  flush(): void {
    this.store.flush();
  }

  close(): void {
    this.store.close();
  }

  private apply(upstream: string, fact: WsFact, at: number): void {
    let job = this.jobs.get(fact.promptId);
    if (!job) {
      // A job nobody queued through the proxy: ComfyUI's own queue, another client. Only admin sees it.
      job = blankJob(fact.promptId, FOREIGN_OWNER, upstream, at);
      this.insert(job);
    }
    if (FINISHED_STATES.has(job.state)) {
      if (fact.kind === 'outputs') this.addOutputs(job, fact.outputs);
      return;
    }
    switch (fact.kind) {
      case 'started':
        if (fact.stamp !== undefined) job.comfyStart ??= fact.stamp;
        this.start(job, at);
        break;
      case 'node':
        this.start(job, at);
        this.executed.add(job.promptId);
        if (this.progress.advance(job.promptId, fact)) this.events.emit('progress', job);
        break;
      case 'outputs':
        this.start(job, at);
        this.addOutputs(job, fact.outputs);
        break;
      case 'success':
        this.clock(job, fact.stamp);
        this.finish(job, this.executed.has(job.promptId) ? 'success' : 'cached', null, at);
        break;
      case 'error':
        this.clock(job, fact.stamp);
        this.finish(job, 'error', fact.message, at);
        break;
      case 'interrupted':
        this.clock(job, fact.stamp);
        this.finish(job, 'interrupted', 'Interrupted', at);
        break;
    }
  }

  /** ComfyUI's own run time, when it gave both ends (its clock on both: no skew with the proxy's). */
  private clock(job: Job, endStamp: number | undefined): void {
    if (endStamp !== undefined && job.comfyStart !== undefined && endStamp >= job.comfyStart) job.gpuMs = endStamp - job.comfyStart;
  }

  private start(job: Job, at: number): void {
    if (job.state === 'running') return;
    job.state = 'running';
    job.startedAt = at;
    this.index.started(job);
    this.changed('started', job);
  }

  private finish(job: Job, state: JobState, error: string | null, at: number): void {
    this.index.count(job, -1);
    job.state = state;
    job.error = error;
    job.finishedAt = at;
    this.executed.delete(job.promptId);
    this.index.stopped(job);
    this.progress.finished(job.promptId, state);
    this.changed('finished', job);
  }

  private addOutputs(job: Job, outputs: readonly JobOutput[]): void {
    const fresh = outputs.filter((o) => !job.outputs.some((x) => x.filename === o.filename && x.subfolder === o.subfolder && x.type === o.type));
    if (fresh.length === 0) return;
    job.outputs.push(...fresh);
    this.index.addOutputs(job, fresh);
    this.touched(job);
  }

  /** `journal` false: the job comes from the file at start. */
  private insert(job: Job, journal = true): void {
    this.jobs.set(job.promptId, job);
    this.index.add(job);
    if (journal) this.touched(job);
    if (this.jobs.size > this.maxJobs) this.evict();
  }

  /** A job changed: journaled now, in the next snapshot within the interval. */
  private touched(job: Job): void {
    this.store.saved(job);
  }

  /** `journal`: the job leaves for good (an evicted one stays out of the snapshot and the journal's bound). */
  private remove(job: Job, journal = false): void {
    if (journal) this.store.dropped(job.promptId);
    this.jobs.delete(job.promptId);
    this.index.remove(job);
    this.executed.delete(job.promptId);
    this.progress.delete(job.promptId);
  }

  /** Drops the oldest finished job (insertion order), or the oldest of all when none has finished. */
  private evict(): void {
    for (const job of this.jobs.values()) {
      if (FINISHED_STATES.has(job.state)) {
        this.remove(job);
        return;
      }
    }
    const oldest = this.jobs.values().next().value;
    if (oldest) this.remove(oldest);
  }

  private changed(type: JobEvent['type'], job: Job): void {
    this.touched(job);
    this.events.emit(type, job);
  }
}
