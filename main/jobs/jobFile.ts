// Persistence of the job ledger and the client-id owners: a snapshot (<dataDir>/jobs.json) written atomically
// in batches by the server (never per message), and a journal (jobs.journal, appendLog.ts) that gets each
// change as one line the moment it happens, so a job answered 200 is on disk before its answer leaves (SPEC
// §9, kill -9). Both are read once at start, the journal replayed over the snapshot. An unreadable snapshot
// is set aside (jobs.json.corrupt-<time>): hot data is not worth refusing to start.
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { AppendLog } from '../common/appendLog';
import { writeFileAtomicSync } from '../common/atomicFile';
import type { InputUpload } from './inputUploads';
import type { Job } from './types';

export const JOBS_FILE = 'jobs.json';
export const JOBS_JOURNAL = 'jobs.journal';

const jobSchema = z.object({
  promptId: z.string(),
  owner: z.string(),
  ownerName: z.string().nullable(),
  clientId: z.string().nullable(),
  upstream: z.string(),
  number: z.number().nullable(),
  state: z.enum(['pending', 'running', 'success', 'error', 'interrupted', 'cached', 'deleted']),
  queuedAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  outputs: z.array(z.object({ filename: z.string(), subfolder: z.string(), type: z.string() })),
  error: z.string().nullable(),
  workflowName: z.string().nullable(),
  // Jobs recorded before SPEC §8.8 have no flag: none of them spent the owner's account through a key's permission.
  cloud: z.boolean().optional(),
  comfyStart: z.number().optional(),
  gpuMs: z.number().optional(),
  // Jobs recorded before SPEC §12 were queued first come, first served.
  share: z.number().positive().optional(),
  estimatedMs: z.number().nonnegative().optional(),
});

const fileSchema = z.object({
  version: z.literal(1),
  /** The journal generation that follows this snapshot (absent before journals: 0). */
  journal: z.number().int().nonnegative().optional(),
  jobs: z.array(jobSchema),
  clients: z.record(z.string(), z.string()),
  // Files written before private uploads (SPEC §8.3) have no list: no key had uploads of its own yet.
  uploads: z.array(z.object({ owner: z.string(), path: z.string(), at: z.number() })).optional(),
});

/** One journal line: a job as it is now, a job that left the ledger, or a client id's owner. */
const lineSchema = z.union([
  z.object({ job: jobSchema }),
  z.object({ drop: z.string() }),
  z.object({ client: z.tuple([z.string(), z.string()]) }),
]);

export interface JobFileContent {
  jobs: Job[];
  /** clientId → owner. */
  clients: Record<string, string>;
  /** What each key uploaded into the input folder, oldest first (inputUploads.ts). */
  uploads: InputUpload[];
}

export class JobFile {
  readonly path: string;
  private readonly journal: AppendLog;

  constructor(
    dataDir: string,
    private readonly onError: (err: Error) => void,
  ) {
    this.path = join(dataDir, JOBS_FILE);
    this.journal = new AppendLog(join(dataDir, JOBS_JOURNAL), onError);
  }

  /** The snapshot with the journal replayed over it; opens the journal for appending. */
  read(): JobFileContent {
    const snapshot = this.readSnapshot();
    const jobs = new Map(snapshot.jobs.map((j) => [j.promptId, j]));
    const clients = { ...snapshot.clients };
    for (const text of this.journal.open(snapshot.journal)) {
      const line = parseLine(text);
      if (!line) continue; // cut short by a crash mid-write: the change before it is complete
      if ('job' in line) jobs.set(line.job.promptId, line.job);
      else if ('drop' in line) jobs.delete(line.drop);
      else clients[line.client[0]] = line.client[1];
    }
    // Uploads are kept in the snapshot only (batched): they feed a key's /object_info lists, nothing is refused by them.
    return { jobs: [...jobs.values()], clients, uploads: snapshot.uploads };
  }

  /** A job as it is now (new or changed), appended to the journal. */
  saveJob(job: Job): void {
    this.journal.append(JSON.stringify({ job }));
  }

  /** A job left the ledger (ComfyUI refused it, or it was renamed). */
  dropJob(promptId: string): void {
    this.journal.append(JSON.stringify({ drop: promptId }));
  }

  saveClient(clientId: string, owner: string): void {
    this.journal.append(JSON.stringify({ client: [clientId, owner] }));
  }

  /** Makes the journal's lines survive a power cut too (fdatasync), before a job's answer goes out. */
  sync(): void {
    this.journal.sync();
  }

  /** Writes the snapshot; throws on a failed write (the caller keeps its state and retries at the next flush). */
  write(content: JobFileContent): void {
    const next = this.journal.generation + 1;
    writeFileAtomicSync(this.path, JSON.stringify({ version: 1, journal: next, jobs: content.jobs, clients: content.clients, uploads: content.uploads }));
    this.journal.restart(next);
  }

  close(): void {
    this.journal.close();
  }

  private readSnapshot(): JobFileContent & { journal: number } {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
      return { jobs: [], clients: {}, uploads: [], journal: 0 };
    }
    try {
      const parsed = fileSchema.parse(JSON.parse(text));
      return { jobs: parsed.jobs, clients: parsed.clients, uploads: parsed.uploads ?? [], journal: parsed.journal ?? 0 };
    } catch {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      try {
        renameSync(this.path, aside);
      } catch {
        /* leave it where it is; the next write replaces it */
      }
      this.onError(new Error(`The job ledger ${this.path} was unreadable; it was moved to ${aside} and the ledger starts from its journal alone.`));
      return { jobs: [], clients: {}, uploads: [], journal: 0 };
    }
  }
}

function parseLine(text: string): z.infer<typeof lineSchema> | null {
  try {
    const parsed = lineSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
