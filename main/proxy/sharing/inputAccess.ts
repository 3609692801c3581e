// Who may read which file of ComfyUI's one input folder (SPEC §8.3 "Private uploads"). A key's uploads live in
// its own folder (`private-<key id>/…`, 3D files in `3d/private-<key id>/…`, inputFolders.ts); everything in
// another key's folder is that key's alone. Shared are the files ComfyUI lists for everyone (the folder's top
// level, and `3d/`, where its 3D loaders look) and the folders admin marks shared; anything else (a `pasted/`
// from before private uploads, admin's own subfolders) stays out of keys' reach. Admin reads everything.
import { posix } from 'node:path';
import { isPrivateSegment, privateFolderOf, THREE_D_FOLDER } from '../../common/inputFolders';
import { ADMIN_OWNER, type JobOwner } from '../../jobs/types';

export type InputAccess = 'own' | 'shared' | 'foreign' | 'hidden';

/** `a/./b//c/` → `a/b/c`; null when the path is absolute or climbs out of the folder (refused elsewhere too). */
export function normalInputPath(path: string): string | null {
  if (path.startsWith('/') || path.includes('\\')) return null;
  const n = posix.normalize(path || '.').replace(/\/+$/, '');
  if (n === '..' || n.startsWith('../')) return null;
  return n === '.' ? '' : n;
}

/** How `owner` may use the input file at this path (relative to the input folder, as ComfyUI joins it). */
export function inputAccess(owner: JobOwner, path: string, sharedFolders: readonly string[]): InputAccess {
  if (owner === ADMIN_OWNER) return 'own';
  const n = normalInputPath(path);
  if (n === null) return 'hidden';
  const segments = n.split('/');
  const mine = privateFolderOf(owner);
  // Any spelling of another key's folder (other case, "private-x." on Windows) is that key's, not the caller's.
  if (segments.some((s) => isPrivateSegment(s) && s !== mine)) return 'foreign';
  if (segments.includes(mine)) return 'own';
  const dir = segments.slice(0, -1).join('/');
  if (dir === '' || dir === THREE_D_FOLDER || dir.startsWith(`${THREE_D_FOLDER}/`)) return 'shared';
  return sharedFolders.some((f) => dir === f || dir.startsWith(`${f}/`)) ? 'shared' : 'hidden';
}

export const mayReadInput = (owner: JobOwner, path: string, sharedFolders: readonly string[]): boolean => {
  const access = inputAccess(owner, path, sharedFolders);
  return access === 'own' || access === 'shared';
};

/**
 * Why a workflow value naming a file (or anything that could be read as a path to one) is another key's input
 * file, or null. Every segment is looked at, split on "/" and "\" (Windows joins either), whatever the value's
 * extension: an upload named without one is still a file ComfyUI can open.
 */
export function foreignInputIn(value: string, owner: JobOwner): string | null {
  if (owner === ADMIN_OWNER || !/private-/i.test(value)) return null;
  const mine = privateFolderOf(owner);
  const found = value.split(/[\\/]/).find((s) => isPrivateSegment(s.trim()) && s !== mine);
  return found === undefined ? null : `names "${value}", a file in another access key's private upload folder`;
}
