// Persistence of the job ledger and the client-id owners: one JSON file (<dataDir>/jobs.json) written
// atomically in batches by the server (never per message), read once at start. An unreadable file is
// set aside (jobs.json.corrupt-<time>) and the ledger starts empty: hot data is not worth refusing to start.
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomicSync } from '../common/atomicFile';
import type { InputUpload } from './inputUploads';
import type { Job } from './types';

export const JOBS_FILE = 'jobs.json';

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
  jobs: z.array(jobSchema),
  clients: z.record(z.string(), z.string()),
  // Files written before private uploads (SPEC §8.3) have no list: no key had uploads of its own yet.
  uploads: z.array(z.object({ owner: z.string(), path: z.string(), at: z.number() })).optional(),
});

export interface JobFileContent {
  jobs: Job[];
  /** clientId → owner. */
  clients: Record<string, string>;
  /** What each key uploaded into the input folder, oldest first (inputUploads.ts). */
  uploads: InputUpload[];
}

export class JobFile {
  readonly path: string;

  constructor(
    dataDir: string,
    private readonly onError: (err: Error) => void,
  ) {
    this.path = join(dataDir, JOBS_FILE);
  }

  read(): JobFileContent {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
      return { jobs: [], clients: {}, uploads: [] };
    }
    try {
      const parsed = fileSchema.parse(JSON.parse(text));
      return { jobs: parsed.jobs, clients: parsed.clients, uploads: parsed.uploads ?? [] };
    } catch {
      const aside = `${this.path}.corrupt-${Date.now()}`;
      try {
        renameSync(this.path, aside);
      } catch {
        /* leave it where it is; the next write replaces it */
      }
      this.onError(new Error(`The job ledger ${this.path} was unreadable; it was moved to ${aside} and the ledger starts empty.`));
      return { jobs: [], clients: {}, uploads: [] };
    }
  }

  /** Throws on a failed write (the caller keeps its state and retries at the next flush). */
  write(content: JobFileContent): void {
    writeFileAtomicSync(this.path, JSON.stringify({ version: 1, jobs: content.jobs, clients: content.clients, uploads: content.uploads }));
  }
}
