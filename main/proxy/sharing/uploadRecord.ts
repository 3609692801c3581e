// Remembers where ComfyUI stored a key's upload into its own folder (SPEC §8.3 "Private uploads"), from
// ComfyUI's answer `{name, subfolder, type}`: the name after ComfyUI's own renaming ("cat (1).png") is the one
// the key's file lists must show. Admin's uploads are shared files and need no record.
import { jsonOf } from '../forward/upstreamExchange';
import type { SharingDeps, SharingRequest, StoredRef } from './context';
import { inputAccess, normalInputPath } from './inputAccess';

/** The file a 200 answer of /upload/image or /upload/mask names, or null. */
export function storedRefOf(status: number, body: Buffer): StoredRef | null {
  if (status !== 200) return null;
  const j = jsonOf(body) as { name?: unknown; subfolder?: unknown; type?: unknown } | null;
  if (!j || typeof j.name !== 'string') return null;
  return { name: j.name, subfolder: typeof j.subfolder === 'string' ? j.subfolder : '', type: typeof j.type === 'string' ? j.type : 'input' };
}

export function recordStored(deps: SharingDeps, r: SharingRequest, ref: StoredRef | null): void {
  if (r.admin || !ref || ref.type !== 'input') return;
  const path = normalInputPath(ref.subfolder ? `${ref.subfolder}/${ref.name}` : ref.name);
  if (path !== null && inputAccess(r.owner, path, []) === 'own') deps.inputUploads.record(r.owner, path, deps.now());
}

/** The forwarder's hook for a key's streamed upload: reads ComfyUI's small answer as it passes. */
export const recordAnswer =
  (deps: SharingDeps, r: SharingRequest) =>
  (status: number, body: Buffer): void =>
    recordStored(deps, r, storedRefOf(status, body));
