// Who hears about ledger changes (usage, the monitor, notifications, metrics, the job settler): each listener
// gets a copy of the job after each change; `progress` events only reach listeners that asked for them, and a
// listener that throws is reported, never allowed to break the ledger.
import type { Job, JobEvent } from './types';

export class JobEventHub {
  readonly #listeners = new Set<{ listener: (e: JobEvent) => void; progress: boolean }>();

  constructor(private readonly onError: (err: Error) => void) {}

  subscribe(listener: (event: JobEvent) => void, options: { progress?: boolean } = {}): () => void {
    const entry = { listener, progress: options.progress === true };
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  emit(type: JobEvent['type'], job: Job): void {
    if (this.#listeners.size === 0) return;
    const event: JobEvent = { type, job: { ...job, outputs: [...job.outputs] } };
    for (const { listener, progress } of this.#listeners) {
      if (type === 'progress' && !progress) continue;
      try {
        listener(event);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }
}
