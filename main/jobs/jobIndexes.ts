// The ledger's indexes, kept in step with its jobs so each hot-path question is one Map lookup: active
// (pending + running) jobs per owner, which owner produced which file, and the job running on each upstream.
import { OutputIndex } from './outputIndex';
import { FINISHED_STATES, type Job, type JobOutput, type JobOwner } from './types';

export class JobIndexes {
  readonly outputs = new OutputIndex();
  private readonly active = new Map<JobOwner, number>();
  /** Prompt ids of every pending or running job (a key's queue view orders them, SPEC §8.3). */
  private readonly activeIds = new Set<string>();
  /** upstream → prompt id running there. */
  private readonly running = new Map<string, string>();

  /** A job entered the ledger (or its state is about to be counted again). */
  add(job: Job): void {
    this.count(job, 1);
    this.outputs.add(job.owner, job.outputs, job.upstream);
    if (job.state === 'running') this.running.set(job.upstream, job.promptId);
  }

  remove(job: Job): void {
    this.count(job, -1);
    this.outputs.remove(job.owner, job.outputs, job.upstream);
    this.stopped(job);
  }

  addOutputs(job: Job, fresh: readonly JobOutput[]): void {
    this.outputs.add(job.owner, fresh, job.upstream);
  }

  started(job: Job): void {
    this.running.set(job.upstream, job.promptId);
  }

  stopped(job: Job): void {
    if (this.running.get(job.upstream) === job.promptId) this.running.delete(job.upstream);
  }

  /** Counts (+1) or uncounts (-1) a job in its owner's active total, when it is pending or running. */
  count(job: Job, delta: 1 | -1): void {
    if (FINISHED_STATES.has(job.state)) return;
    if (delta > 0) this.activeIds.add(job.promptId);
    else this.activeIds.delete(job.promptId);
    const n = (this.active.get(job.owner) ?? 0) + delta;
    if (n <= 0) this.active.delete(job.owner);
    else this.active.set(job.owner, n);
  }

  activeCount(owner: JobOwner): number {
    return this.active.get(owner) ?? 0;
  }

  /** Pending and running jobs' ids, in no particular order. */
  activeIdList(): IterableIterator<string> {
    return this.activeIds.values();
  }

  runningId(upstream: string): string | undefined {
    return this.running.get(upstream);
  }
}
