// Who owns a ComfyUI client_id (SPEC §8.3): the first principal that uses it, on a WebSocket or in a
// prompt. ComfyUI sends a job's messages to the socket whose clientId is the job's client_id, so a
// second principal using the same id would receive the first one's work. Bounded, oldest forgotten first.
import type { JobOwner } from './types';
import { gauge } from '../common/sizeGauges';

const MAX_CLIENTS = 20_000;
/** One key's own ids are forgotten first: a key making up ids cannot push other keys' claims out. */
const MAX_PER_OWNER = 1_000;
export const MAX_ID_LENGTH = 200;

export class ClientIdOwners {
  /** Insertion order = age of the last claim (re-inserted on every claim). */
  private readonly owners = new Map<string, JobOwner>();
  private readonly counts = new Map<JobOwner, number>();
  private readonly onChange: (clientId: string, owner: JobOwner) => void;

  /** `onChange`: told of each new claim (the ledger journals it). */
  constructor(initial: Record<string, string>, onChange: (clientId: string, owner: JobOwner) => void) {
    for (const [id, owner] of Object.entries(initial)) this.add(id, owner);
    this.onChange = onChange;
    gauge('ledger.clientIds', this, (c) => c.owners.size);
  }

  private add(id: string, owner: JobOwner): void {
    this.owners.set(id, owner);
    this.counts.set(owner, (this.counts.get(owner) ?? 0) + 1);
  }

  private remove(id: string): void {
    const owner = this.owners.get(id);
    if (owner === undefined) return;
    this.owners.delete(id);
    const left = (this.counts.get(owner) ?? 1) - 1;
    if (left > 0) this.counts.set(owner, left);
    else this.counts.delete(owner);
  }

  /** The oldest id claimed by `owner` (or by anyone, without one). */
  private oldest(owner?: JobOwner): string | undefined {
    for (const [id, o] of this.owners) if (owner === undefined || o === owner) return id;
    return undefined;
  }

  /** True when the id is free or already this owner's (and now claimed); false when another owns it. */
  claim(clientId: string, owner: JobOwner): boolean {
    if (clientId.length === 0 || clientId.length > MAX_ID_LENGTH) return false;
    const current = this.owners.get(clientId);
    if (current !== undefined && current !== owner) return false;
    this.remove(clientId);
    this.add(clientId, owner);
    if ((this.counts.get(owner) ?? 0) > MAX_PER_OWNER) this.remove(this.oldest(owner) ?? clientId);
    else if (this.owners.size > MAX_CLIENTS) this.remove(this.oldest() ?? clientId);
    if (current === undefined) this.onChange(clientId, owner);
    return true;
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.owners);
  }
}
