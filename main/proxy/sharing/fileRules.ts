// Files served on the proxy's origin (SPEC §8.3, §8.7): `/view` of outputs only to their owner, of inputs only
// the caller's own uploads and the shared ones (inputAccess.ts); path tricks in file parameters refused before
// anything is forwarded; and headers that stop a served file from running script in the logged-in origin
// (nosniff, CSP sandbox, HTML/XML/SVG as attachments).
import type { OutgoingHttpHeaders } from 'node:http';
import { ADMIN_OWNER, type JobLedgerApi, type JobOwner } from '../../jobs/types';
import { memoByString } from '../guards/pathMemo';
import { mayReadInput } from './inputAccess';

/** Which file-serving family a path belongs to (after percent-decoding), or null. */
export type FileRoute = 'view' | 'userdata' | 'upload' | 'model-preview';

const FAMILIES: [RegExp, FileRoute][] = [
  [/^\/(?:api\/)?view(?:$|\/)/, 'view'],
  [/^\/(?:api\/)?view_metadata\//, 'model-preview'],
  [/^\/(?:api\/)?(?:v2\/)?userdata(?:$|\/)/, 'userdata'],
  [/^\/(?:api\/)?upload\//, 'upload'],
  [/^\/(?:api\/)?experiment\/models\/preview\//, 'model-preview'],
];

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Remembered per path (pathMemo.ts). */
export const fileRouteOf: (pathname: string) => FileRoute | null = memoByString((pathname: string) => {
  const path = decode(pathname) ?? pathname;
  for (const [re, family] of FAMILIES) if (re.test(path)) return family;
  return null;
});

/**
 * Why a file parameter is refused, or null when it is fine: `..` segments, absolute paths (`/x`, `C:`),
 * backslashes, NUL, and separators still encoded after decoding (double encoding).
 */
/** Python's whitespace (str.isspace): JavaScript's \s lacks \x1c-\x1f and \x85 and has \ufeff, which Python keeps. */
const PY_SPACE = '[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

/** What Python's str.strip() leaves of a name (ComfyUI versions that strip annotated names). */
export function pyStrip(value: string): string {
  return value.replace(PY_STRIP, '');
}

export function badFileValue(value: string): string | null {
  if (value.includes('\0')) return 'a NUL character';
  // Control characters are where Python's and JavaScript's idea of whitespace part ways; no real name has one.
  if (/[\x01-\x1f\x7f-\x9f\ufeff]/.test(value)) return 'a control character';
  if (value.includes('\\')) return 'a backslash';
  if (/%(?:2f|5c|00|2e)/i.test(value)) return 'an encoded separator';
  if (value.split('/').some((seg) => seg === '..')) return 'a ".." segment';
  if (value.startsWith('/') || /^[a-zA-Z]:/.test(value)) return 'an absolute path';
  return null;
}

/** Checks every query parameter and the path tail of a file route; returns a 400 message or null. */
export function fileParamProblem(family: FileRoute, url: URL): string | null {
  for (const [name, value] of url.searchParams) {
    const why = badFileValue(value);
    if (why) return `The "${name}" parameter holds ${why}; file paths must stay inside ComfyUI's folders.`;
  }
  const path = decode(url.pathname);
  if (path === null) return 'The path is not valid percent-encoding.';
  const tail = path.replace(/^\/(?:api\/)?(?:v2\/)?[a-z_]+\/?/, '');
  if (family !== 'view' && tail) {
    const why = /%(?:2f|5c|00|2e)/i.test(tail) || tail.includes('\0') || tail.includes('\\') || tail.split('/').some((s) => s === '..') ? 'a path trick' : null;
    if (why) return `The path holds ${why}; file paths must stay inside ComfyUI's folders.`;
  }
  return null;
}

const ANNOTATION = /\[([^\]]*)\]$/;

/**
 * The folder and name ComfyUI will read for a `/view`: a name ending in "[output]", "[input]" or "[temp]"
 * picks that folder whatever `type` says, the name losing the annotation and the character before it
 * (server.py view_image → folder_paths.annotated_filepath). So the annotation, not `type`, decides whose
 * file it is. Any other bracketed suffix is treated as a folder of that name: never shared, never owned.
 */
export function viewedFile(url: URL): { type: string; subfolder: string; filename: string; untrimmed: string } {
  const raw = url.searchParams.get('filename') ?? '';
  const subfolder = url.searchParams.get('subfolder') ?? '';
  const note = ANNOTATION.exec(raw);
  if (!note) return { type: url.searchParams.get('type') || 'output', subfolder, filename: raw, untrimmed: raw };
  const folder = note[1] ?? '';
  const known = folder === 'output' || folder === 'input' || folder === 'temp';
  // Mainline ComfyUI keeps the rest as it is; some versions strip() it: `untrimmed` and `filename` are both.
  const untrimmed = known ? raw.slice(0, Math.max(0, note.index - 1)) : raw;
  return { type: folder, subfolder, filename: pyStrip(untrimmed), untrimmed };
}

/** server.py view_image reads `join(folder, subfolder, basename(filename))`: the input path that is served. */
function servedInputPath(subfolder: string, filename: string): string {
  const base = filename.slice(filename.lastIndexOf('/') + 1);
  return subfolder ? `${subfolder}/${base}` : base;
}

/**
 * `/view` of an output or temp file: only its owner (or admin). Of an input file: the caller's own uploads and the
 * shared files, judged on the path ComfyUI will read (a name carrying a folder is read by its last part).
 */
export function mayView(ledger: JobLedgerApi, owner: JobOwner, url: URL, sharedFolders: readonly string[]): boolean {
  if (owner === ADMIN_OWNER) return true;
  const file = viewedFile(url);
  // Newer ComfyUI resolves "blake3:<hash>" names through its asset index (--enable-assets), whatever the folder
  // and whoever uploaded it: no folder rule can be checked on such a name.
  if (file.untrimmed.startsWith('blake3:') || file.filename.startsWith('blake3:')) return false;
  if (file.type === 'input') {
    const read = (name: string) => mayReadInput(owner, servedInputPath(file.subfolder, name), sharedFolders);
    return read(file.filename) && read(file.untrimmed);
  }
  const owns = (name: string) => ledger.ownsOutput(owner, file.type, file.subfolder, name);
  return owns(file.filename) && (file.untrimmed === file.filename || owns(file.untrimmed));
}

const ACTIVE_TYPES = /(?:html|xml|svg|javascript|xhtml)/i;
const ACTIVE_EXT = /\.(?:html?|xhtml|xml|svg|svgz|js|mjs)$/i;

/** Adds the served-file headers to an upstream response's headers (SPEC §8.7). */
export function fileResponseHeaders(family: FileRoute, headers: OutgoingHttpHeaders, filename: string | null): void {
  headers['x-content-type-options'] = 'nosniff';
  headers['content-security-policy'] = 'sandbox';
  if (family !== 'view') return;
  const type = String(headers['content-type'] ?? '');
  if (ACTIVE_TYPES.test(type) || (filename !== null && ACTIVE_EXT.test(filename))) {
    const safe = (filename ?? 'file').replace(/[^\w.-]/g, '_');
    headers['content-disposition'] = `attachment; filename="${safe}"`;
  }
}
