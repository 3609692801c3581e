// Where each running job is, for the monitor's progress bars: the node executing now, the sampler's step and
// the nodes done, from the `executing` / `progress` facts the ledger reads anyway (the monitor no longer
// parses relayed frames itself). In memory only; the ledger drops an entry with its job.
import type { WsFact } from './jobMessages';
import type { JobProgress, JobState } from './types';
import { gauge } from '../common/sizeGauges';

export class JobProgressBoard {
  readonly #byJob = new Map<string, JobProgress>();

  constructor() {
    gauge('ledger.progress', this, (b) => b.#byJob.size);
  }

  get(promptId: string): JobProgress | undefined {
    const p = this.#byJob.get(promptId);
    return p ? { ...p } : undefined;
  }

  /** Applies a node fact; true when something shown changed (another node, another step). */
  advance(promptId: string, fact: Extract<WsFact, { kind: 'node' }>): boolean {
    if (!fact.entered && !fact.step) return false;
    let p = this.#byJob.get(promptId);
    if (!p) this.#byJob.set(promptId, (p = { node: null, value: 0, max: 0, nodesDone: 0 }));
    if (fact.entered) {
      if (p.node === fact.node) return false; // the same message relayed by a second socket
      if (p.node !== null) p.nodesDone++;
      Object.assign(p, { node: fact.node, value: 0, max: 0 });
    } else if (fact.step) {
      Object.assign(p, { node: fact.node, value: fact.step.value, max: fact.step.max });
    }
    return true;
  }

  /** A job that succeeded shows its last bar full. */
  finished(promptId: string, state: JobState): void {
    const p = this.#byJob.get(promptId);
    if (p && state === 'success' && p.max > 0) p.value = p.max;
  }

  delete(promptId: string): void {
    this.#byJob.delete(promptId);
  }
}
