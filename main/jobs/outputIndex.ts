// Which owner produced which file (type, subfolder, filename): the O(1) check behind `/view` of outputs.
// Reference-counted, since two jobs of one owner may name the same file.
import type { JobOutput, JobOwner } from './types';

const keyOf = (owner: JobOwner, type: string, subfolder: string, filename: string) => `${owner}\0${type}\0${subfolder}\0${filename}`;

export class OutputIndex {
  private readonly counts = new Map<string, number>();

  add(owner: JobOwner, outputs: readonly JobOutput[]): void {
    for (const o of outputs) {
      const key = keyOf(owner, o.type, o.subfolder, o.filename);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  remove(owner: JobOwner, outputs: readonly JobOutput[]): void {
    for (const o of outputs) {
      const key = keyOf(owner, o.type, o.subfolder, o.filename);
      const n = (this.counts.get(key) ?? 1) - 1;
      if (n <= 0) this.counts.delete(key);
      else this.counts.set(key, n);
    }
  }

  has(owner: JobOwner, type: string, subfolder: string, filename: string): boolean {
    return this.counts.has(keyOf(owner, type, subfolder, filename));
  }
}
