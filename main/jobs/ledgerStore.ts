// Where the job ledger keeps its jobs between runs: jobFile.ts's snapshot, written in batches (at most once
// per interval while jobs change, no timer at all while idle: batchedFlush.ts), and its journal, which gets
// each change at once. A ledger without a data dir gets a store that keeps nothing.
import { BatchedFlush } from '../common/batchedFlush';
import { JobFile, type JobFileContent } from './jobFile';
import type { Job } from './types';

export interface LedgerStoreOptions {
  dataDir?: string;
  /** Snapshot interval, ms (default 2000); 0 = only on flush(). */
  flushIntervalMs?: number;
  onError: (err: Error) => void;
}

export class LedgerStore {
  private readonly file: JobFile | null;
  private readonly batch: BatchedFlush;

  /** `snapshot`: the ledger's whole state, read when the snapshot is written. */
  private readonly onError: (err: Error) => void;

  constructor(
    options: LedgerStoreOptions,
    private readonly snapshot: () => JobFileContent,
  ) {
    this.onError = options.onError;
    this.file = options.dataDir ? new JobFile(options.dataDir, options.onError) : null;
    this.batch = new BatchedFlush(() => this.flush(), this.file ? (options.flushIntervalMs ?? 2000) : 0);
  }

  /** What the last run left (snapshot and journal), once at start. */
  read(): JobFileContent {
    return this.file?.read() ?? { jobs: [], clients: {}, uploads: [] };
  }

  /** A job was added or changed. */
  saved(job: Job): void {
    this.file?.saveJob(job);
    this.batch.mark();
  }

  /** A job left for good (refused by ComfyUI, renamed). */
  dropped(promptId: string): void {
    this.file?.dropJob(promptId);
    this.batch.mark();
  }

  /** Something kept in the snapshot only changed (each key's uploads): written with the next snapshot. */
  snapshotChanged(): void {
    this.batch.mark();
  }

  /** A client id got its owner. */
  claimed(clientId: string, owner: string): void {
    this.file?.saveClient(clientId, owner);
    this.batch.mark();
  }

  /** The journal's lines so far survive a power cut too (fdatasync): before a job's 200 goes out. */
  sync(): void {
    this.file?.sync();
  }

  /** Writes the snapshot if anything changed; a failed write is reported and retried at the next interval. */
  flush(): void {
    if (!this.file || !this.batch.dirty) return;
    try {
      this.file.write(this.snapshot());
      this.batch.clear();
    } catch (err) {
      this.onError(err as Error);
    }
  }

  close(): void {
    this.batch.close();
    this.flush();
    this.file?.close();
  }
}
