// A key's /object_info (SPEC §8.3 "Private uploads"): ComfyUI's answer with the upload inputs' file lists made
// the key's own (uploadInputs.ts). ComfyUI's answer runs to megabytes with many custom nodes and every page load
// asks for it, so the parsed answer is kept while ComfyUI sends the same bytes, and each key's rewritten body while
// neither that answer, the key's uploads nor the shared folders changed. Bounded in entries and bytes.
import type { JobOwner } from '../../jobs/types';
import { keyNodeDefs } from './uploadInputs';

interface Parsed {
  body: Buffer;
  defs: Record<string, unknown> | null;
}

interface Entry {
  base: Buffer;
  version: number;
  shared: string;
  body: Buffer;
}

export interface KeyObjectInfoLimits {
  entries: number;
  bytes: number;
  /** Parsed ComfyUI answers kept (one per path asked: /object_info, /object_info/LoadImage, …). */
  parsed: number;
}

const DEFAULTS: KeyObjectInfoLimits = { entries: 64, bytes: 64 * 1024 * 1024, parsed: 8 };

export interface KeyView {
  owner: JobOwner;
  /** The key's uploads, newest first, and their version (InputUploads). */
  own: readonly string[];
  version: number;
  sharedFolders: readonly string[];
  visible(path: string): boolean;
}

export class KeyObjectInfo {
  private readonly parsed = new Map<string, Parsed>();
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly limits: KeyObjectInfoLimits;

  constructor(limits: Partial<KeyObjectInfoLimits> = {}) {
    this.limits = { ...DEFAULTS, ...limits };
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** The body this key gets for ComfyUI's 200 answer `body` to `path`. */
  forKey(path: string, body: Buffer, key: KeyView): Buffer {
    const base = this.parse(path, body);
    if (base.defs === null) return body;
    const id = `${key.owner}\0${path}`;
    const shared = key.sharedFolders.join('\0');
    const hit = this.entries.get(id);
    if (hit && hit.base === base.body && hit.version === key.version && hit.shared === shared) return hit.body;
    const out = Buffer.from(JSON.stringify(keyNodeDefs(base.defs, key.owner, key.own, key.visible)), 'utf8');
    this.remember(id, { base: base.body, version: key.version, shared, body: out });
    return out;
  }

  /** The parsed answer for these bytes: the kept one when ComfyUI sent the same (its buffer then stands for it). */
  private parse(path: string, body: Buffer): Parsed {
    const kept = this.parsed.get(path);
    if (kept && (kept.body === body || kept.body.equals(body))) return kept;
    let defs: Record<string, unknown> | null = null;
    try {
      const json: unknown = JSON.parse(body.toString('utf8'));
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) defs = json as Record<string, unknown>;
    } catch {
      /* not JSON: passed on as it came */
    }
    const entry = { body, defs };
    this.parsed.delete(path);
    if (this.parsed.size >= this.limits.parsed) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(path, entry);
    return entry;
  }

  private remember(id: string, entry: Entry): void {
    const old = this.entries.get(id);
    if (old) {
      this.bytes -= old.body.length;
      this.entries.delete(id);
    }
    if (entry.body.length > this.limits.bytes) return;
    // A Map iterates in insertion order: the first entry is the least recently written.
    while (this.entries.size >= this.limits.entries || this.bytes + entry.body.length > this.limits.bytes) {
      const [oldest, e] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.bytes -= e.body.length;
    }
    this.entries.set(id, entry);
    this.bytes += entry.body.length;
  }
}
