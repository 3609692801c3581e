// What each access key uploaded into ComfyUI's input folder (SPEC §8.3 "Private uploads"): the paths ComfyUI
// answered with (`subfolder/name`, after its own renaming), newest first. It feeds the key's entries in the file
// lists of /object_info; who may read a file is decided by its folder, never by this record, so a forgotten entry
// only drops out of a list. Bounded like the client-id owners (one key cannot push the others out) and saved
// with the job ledger (jobs.json).
import type { JobOwner } from './types';

export interface InputUpload {
  owner: JobOwner;
  /** Relative to the input folder, e.g. `private-<key id>/cat.png`. */
  path: string;
  /** Epoch ms of the (latest) upload. */
  at: number;
}

export interface InputUploadLimits {
  perOwner: number;
  total: number;
}

const DEFAULT_LIMITS: InputUploadLimits = { perOwner: 1_000, total: 20_000 };

export class InputUploads {
  /** Per owner, path → upload, oldest first (re-inserted on every upload of the same path). */
  private readonly byOwner = new Map<JobOwner, Map<string, InputUpload>>();
  /** Every upload, oldest first: what goes when the total is reached. */
  private readonly order = new Map<string, InputUpload>();
  private readonly versions = new Map<JobOwner, number>();
  private readonly limits: InputUploadLimits;

  constructor(
    saved: readonly InputUpload[],
    private readonly onChange: () => void,
    limits: Partial<InputUploadLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    for (const u of [...saved].sort((a, b) => a.at - b.at)) this.add(u);
  }

  /** A file ComfyUI stored for this owner; an upload of the same path again makes it the newest. */
  record(owner: JobOwner, path: string, at: number): void {
    this.add({ owner, path, at });
    this.onChange();
  }

  /** The owner's uploads, newest first. */
  of(owner: JobOwner): string[] {
    const mine = this.byOwner.get(owner);
    return mine ? [...mine.keys()].reverse() : [];
  }

  /** Changes with every upload of this owner: lists built from `of()` are stale when it moved. */
  version(owner: JobOwner): number {
    return this.versions.get(owner) ?? 0;
  }

  get size(): number {
    return this.order.size;
  }

  /** Oldest first, for jobs.json. */
  toJSON(): InputUpload[] {
    return [...this.order.values()];
  }

  private add(u: InputUpload): void {
    const key = `${u.owner}\0${u.path}`;
    let mine = this.byOwner.get(u.owner);
    if (!mine) this.byOwner.set(u.owner, (mine = new Map()));
    mine.delete(u.path);
    mine.set(u.path, u);
    this.order.delete(key);
    this.order.set(key, u);
    this.versions.set(u.owner, this.version(u.owner) + 1);
    if (mine.size > this.limits.perOwner) this.drop(mine.values().next().value as InputUpload);
    if (this.order.size > this.limits.total) this.drop(this.order.values().next().value as InputUpload);
  }

  private drop(u: InputUpload): void {
    this.order.delete(`${u.owner}\0${u.path}`);
    const mine = this.byOwner.get(u.owner);
    mine?.delete(u.path);
    if (mine?.size === 0) this.byOwner.delete(u.owner);
    this.versions.set(u.owner, this.version(u.owner) + 1);
  }
}
