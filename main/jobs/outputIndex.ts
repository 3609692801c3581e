// Which owner produced which file (type, subfolder, filename), and on which upstream: the O(1) check behind
// `/view` of outputs, and where to fetch it from (SPEC §8.3, §10). Reference-counted, since two jobs of one
// owner may name the same file; with several upstreams two servers may also name different files alike
// (each ComfyUI counts ComfyUI_00001_.png on its own), so the newest job's upstream wins a lookup.
import type { JobOutput, JobOwner } from './types';
import { gauge } from '../common/sizeGauges';

const keyOf = (owner: JobOwner, type: string, subfolder: string, filename: string) => `${owner}\0${type}\0${subfolder}\0${filename}`;
const fileKeyOf = (type: string, subfolder: string, filename: string) => `${type}\0${subfolder}\0${filename}`;

interface Producer {
  owner: JobOwner;
  upstream: string;
}

export class OutputIndex {
  private readonly counts = new Map<string, number>();
  /** Per file, the jobs that produced it in insertion order (newest last). */
  private readonly producers = new Map<string, Producer[]>();

  constructor() {
    gauge('ledger.outputFiles', this, (i) => i.producers.size);
  }

  add(owner: JobOwner, outputs: readonly JobOutput[], upstream: string): void {
    for (const o of outputs) {
      const key = keyOf(owner, o.type, o.subfolder, o.filename);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      const fileKey = fileKeyOf(o.type, o.subfolder, o.filename);
      const list = this.producers.get(fileKey);
      if (list) list.push({ owner, upstream });
      else this.producers.set(fileKey, [{ owner, upstream }]);
    }
  }

  remove(owner: JobOwner, outputs: readonly JobOutput[], upstream: string): void {
    for (const o of outputs) {
      const key = keyOf(owner, o.type, o.subfolder, o.filename);
      const n = (this.counts.get(key) ?? 1) - 1;
      if (n <= 0) this.counts.delete(key);
      else this.counts.set(key, n);
      const fileKey = fileKeyOf(o.type, o.subfolder, o.filename);
      const list = this.producers.get(fileKey);
      if (!list) continue;
      const at = list.findIndex((p) => p.owner === owner && p.upstream === upstream);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.producers.delete(fileKey);
    }
  }

  has(owner: JobOwner, type: string, subfolder: string, filename: string): boolean {
    return this.counts.has(keyOf(owner, type, subfolder, filename));
  }

  /** The upstream of the newest job that produced this file: one of `owner`'s, or anyone's when owner is null. */
  upstreamOf(owner: JobOwner | null, type: string, subfolder: string, filename: string): string | undefined {
    const list = this.producers.get(fileKeyOf(type, subfolder, filename));
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const p = list[i] as Producer;
      if (owner === null || p.owner === owner) return p.upstream;
    }
    return undefined;
  }
}
