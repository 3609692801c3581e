// Who owns a ComfyUI client_id (SPEC §8.3): the first principal that uses it, on a WebSocket or in a
// prompt. ComfyUI sends a job's messages to the socket whose clientId is the job's client_id, so a
// second principal using the same id would receive the first one's work. Bounded, oldest forgotten first.
import type { JobOwner } from './types';

const MAX_CLIENTS = 20_000;
export const MAX_ID_LENGTH = 200;

export class ClientIdOwners {
  /** Insertion order = age of the last claim (re-inserted on every claim). */
  private readonly owners = new Map<string, JobOwner>();
  private readonly onChange: () => void;

  constructor(initial: Record<string, string>, onChange: () => void) {
    for (const [id, owner] of Object.entries(initial)) this.owners.set(id, owner);
    this.onChange = onChange;
  }

  /** True when the id is free or already this owner's (and now claimed); false when another owns it. */
  claim(clientId: string, owner: JobOwner): boolean {
    if (clientId.length === 0 || clientId.length > MAX_ID_LENGTH) return false;
    const current = this.owners.get(clientId);
    if (current !== undefined && current !== owner) return false;
    this.owners.delete(clientId);
    this.owners.set(clientId, owner);
    if (this.owners.size > MAX_CLIENTS) {
      const oldest = this.owners.keys().next().value;
      if (oldest !== undefined) this.owners.delete(oldest);
    }
    if (current === undefined) this.onChange();
    return true;
  }

  toJSON(): Record<string, string> {
    return Object.fromEntries(this.owners);
  }
}
