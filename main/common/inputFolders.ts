// The layout of ComfyUI's one input folder under private uploads (SPEC §8.3): each access key's uploads land in
// a folder named after its id (stable across rotation), and the folders admin marks shared. The proxy's rules,
// the settings schema and the CLI all read these names from here, so they cannot drift apart.

/** The folder a key's uploads land in, inside the input folder (or inside `3d/`, see below). */
export function privateFolderOf(keyId: string): string {
  return `private-${keyId}`;
}

/**
 * ComfyUI's 3D loaders list `input/3d` recursively and, having no validate_inputs, refuse any value not in that
 * list (nodes_load_3d.py Load3D; execution.py `value_not_in_list`): a key's 3D files go to `3d/<its folder>/`,
 * where ComfyUI lists them, instead of `<its folder>/3d/`, where a job could never load them.
 */
export const THREE_D_FOLDER = '3d';

/** A key id is 22 base64url characters (keyFormat.ts); compared case-insensitively below. */
const PRIVATE_NAME = /^private-[a-z0-9_-]{22}$/;

/**
 * True when a path segment names some key's private folder in any spelling a file system could open as that
 * folder: any case (macOS, Windows), trailing dots and spaces or an NTFS stream suffix (Windows).
 */
export function isPrivateSegment(segment: string): boolean {
  const plain = segment.toLowerCase().replace(/(?::[^:/\\]*)+$/, '').replace(/[. ]+$/, '');
  return PRIVATE_NAME.test(plain);
}

export const MAX_SHARED_FOLDERS = 64;
const MAX_FOLDER_LENGTH = 200;

/** A shared folder as stored: slashes trimmed and collapsed ("faces/", "/faces" and "faces//" are "faces"). */
export function normalizeSharedFolder(folder: string): string {
  return folder.trim().replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');
}

/** Why a folder cannot be marked shared, in words, or null when it can. Takes the normalised form. */
export function sharedFolderProblem(folder: string): string | null {
  if (folder === '') return 'A shared folder needs a name, such as "team" or "refs/faces".';
  if (folder.length > MAX_FOLDER_LENGTH) return `A shared folder name may be at most ${MAX_FOLDER_LENGTH} characters.`;
  if (/[\\\x00-\x1f\x7f]/.test(folder)) return `“${folder}” holds a backslash or a control character; use "/" between folders.`;
  if (/^[a-zA-Z]:/.test(folder)) return `“${folder}” is an absolute path; name a folder inside ComfyUI's input folder.`;
  const segments = folder.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return `“${folder}” holds "." or ".."; name a folder inside ComfyUI's input folder.`;
  if (segments.some(isPrivateSegment)) return `“${folder}” is an access key's private upload folder; those cannot be shared.`;
  return null;
}
