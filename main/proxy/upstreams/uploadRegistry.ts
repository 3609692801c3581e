// Which upstreams hold each file uploaded through the proxy (SPEC §10). Uploads go to every live upstream
// at once, but one that was down (or refused) at that moment lacks the file, and one whose input folder
// already held a different file of that name stored it under another name: a job naming the upload is
// then routed only among the upstreams that hold exactly it. In memory and bounded: after a restart, or
// for a file uploaded to ComfyUI directly, nothing is known and any upstream may take the job.
import { gauge } from '../../common/sizeGauges';


export interface UploadRef {
  name: string;
  subfolder: string;
  type: string;
}

const MAX_VALUE_LENGTH = 1024;

/** The key a prompt uses for a file: LoadImage's value is `subfolder/name`, optionally with ` [type]`. */
function keyOf(type: string, path: string): string {
  return `${type}\0${path}`;
}

function keyOfValue(value: string): string {
  const m = / \[(input|output|temp)\]$/.exec(value);
  return m ? keyOf(m[1] as string, value.slice(0, m.index)) : keyOf('input', value);
}

export class UploadRegistry {
  private readonly holders = new Map<string, ReadonlySet<string>>();

  constructor(private readonly max = 10_000) {
    gauge('uploads.registry', this, (r) => r.holders.size);
  }

  get size(): number {
    return this.holders.size;
  }

  /** Records who holds an upload (replacing what was known of that name). */
  record(ref: UploadRef, upstreamIds: readonly string[]): void {
    const key = keyOf(ref.type || 'input', ref.subfolder ? `${ref.subfolder}/${ref.name}` : ref.name);
    this.holders.delete(key);
    this.holders.set(key, new Set(upstreamIds));
    if (this.holders.size > this.max) {
      const oldest = this.holders.keys().next().value;
      if (oldest !== undefined) this.holders.delete(oldest);
    }
  }

  /**
   * The upstreams holding every upload this API-format prompt names (`{id: {class_type, inputs}}`), or null
   * when it names none the registry knows.
   */
  holdersFor(prompt: unknown): Set<string> | null {
    if (this.holders.size === 0 || typeof prompt !== 'object' || prompt === null) return null;
    let result = null as Set<string> | null;
    for (const node of Object.values(prompt as Record<string, unknown>)) {
      const inputs = typeof node === 'object' && node !== null ? (node as { inputs?: unknown }).inputs : null;
      if (typeof inputs !== 'object' || inputs === null) continue;
      for (const value of Object.values(inputs as Record<string, unknown>)) {
        if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH) continue;
        const held = this.holders.get(keyOfValue(value));
        if (!held) continue;
        result = result === null ? new Set(held) : new Set([...result].filter((id) => held.has(id)));
      }
    }
    return result;
  }
}
