// Where a key's upload may land (SPEC §8.3). ComfyUI's image_upload (server.py; /upload/image and
// /upload/mask) writes into the folder the form's `type` names (input, temp or output) under `subfolder`,
// and with `overwrite` = "true"/"1" replaces a file of that name. The input folder is shared anyway; the
// output and temp folders hold jobs' results, so a key may not write into output at all, and may replace a
// temp file only when it is one of its own jobs' (the web UI's own temp uploads — 3D captures, recordings —
// never set overwrite and get a fresh name from ComfyUI).
import { posix } from 'node:path';
import { CompanionError } from '../../common/errors';
import type { JobLedgerApi, JobOwner } from '../../jobs/types';

/** The form fields image_upload reads (first of each); `filename` is the `image` file part's. */
export interface UploadFields {
  type?: string;
  subfolder?: string;
  overwrite?: string;
  filename?: string;
}

/** The fields the streaming inspector collects (their values are short). */
export const UPLOAD_TEXT_FIELDS = ['type', 'subfolder', 'overwrite'] as const;

/** The refusal for a key's upload with these fields, or null when ComfyUI may have it. */
export function uploadTargetProblem(ledger: JobLedgerApi, owner: JobOwner, f: UploadFields): CompanionError | null {
  // Whatever the folder: a name with a path in it is where older image_upload versions let files escape.
  if (f.filename !== undefined && (/[\\/]/.test(f.filename) || f.filename === '..')) {
    return new CompanionError('invalid_request', 'The uploaded file name must be a plain name (no "/", "\\" or "..").');
  }
  const type = f.type ?? 'input';
  if (type === 'input') return null;
  if (type === 'output') return new CompanionError('forbidden', "An access key cannot upload into ComfyUI's output folder (it holds jobs' results); upload with type=input.");
  if (type !== 'temp') return new CompanionError('invalid_request', 'The upload type must be input, temp or output.');
  if (f.overwrite !== 'true' && f.overwrite !== '1') return null;
  // Same target as server.py: join(temp, normpath(subfolder), filename), compared with the ledger's names.
  const filename = f.filename ?? '';
  const subfolder = posix.normalize((f.subfolder ?? '').replace(/\\/g, '/') || '.').replace(/\/+$/, '');
  // Part headers are read byte for byte (latin1) while aiohttp decodes UTF-8: only an ASCII name means one thing.
  const plain = /^[\x20-\x7e]+$/.test(filename) && !/[\\/]/.test(filename) && filename !== '..' && !subfolder.split('/').includes('..');
  if (plain && ledger.ownsOutput(owner, 'temp', subfolder === '.' ? '' : subfolder, filename)) return null;
  return new CompanionError('forbidden', `An access key may overwrite only its own jobs' files in ComfyUI's temp folder, not "${filename}".`);
}
