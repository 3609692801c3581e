// Where a key's upload may land (SPEC §8.3). ComfyUI's image_upload (server.py; /upload/image and
// /upload/mask) writes into the folder the form's `type` names (input, temp or output) under
// `os.path.normpath(subfolder)`, and with `overwrite` = "true"/"1" replaces a file of that name; its answer's
// `subfolder` is the field as sent. A key's input upload goes to its own private folder (the client's subfolder
// beneath it, inputAccess.ts), so the answer tells the web UI the file's `subfolder/name`. The output and temp
// folders hold jobs' results: a key may not write into output at all, and may replace a temp file only when it is
// one of its own jobs' (the web UI's own temp uploads — 3D captures, recordings — never set overwrite and get a
// fresh name from ComfyUI).
import { posix } from 'node:path';
import { CompanionError } from '../../common/errors';
import { isPrivateSegment, privateFolderOf, THREE_D_FOLDER } from '../../common/inputFolders';
import type { JobLedgerApi, JobOwner } from '../../jobs/types';
import { badFileValue } from './fileRules';
import { normalInputPath } from './inputAccess';

/** The form fields image_upload reads (first of each); `filename` is the `image` file part's. */
export interface UploadFields {
  type?: string;
  subfolder?: string;
  overwrite?: string;
  filename?: string;
}

/** The fields the streaming inspector collects (their values are short). */
export const UPLOAD_TEXT_FIELDS = ['type', 'subfolder', 'overwrite'] as const;

/** What the proxy sends as the form's `subfolder` (undefined: the client's own, or none). */
export interface UploadRewrite {
  subfolder?: string;
}

/** The refusal for a key's upload with these fields, or how its form is sent on. */
export function uploadVerdict(ledger: JobLedgerApi, owner: JobOwner, f: UploadFields): CompanionError | UploadRewrite {
  // Whatever the folder: a name with a path in it is where older image_upload versions let files escape.
  if (f.filename !== undefined && (/[\\/]/.test(f.filename) || f.filename === '..')) {
    return new CompanionError('invalid_request', 'The uploaded file name must be a plain name (no "/", "\\" or "..").');
  }
  const type = f.type ?? 'input';
  if (type === 'input') {
    try {
      return { subfolder: privateUploadSubfolder(owner, f.subfolder ?? '') };
    } catch (err) {
      return err as CompanionError;
    }
  }
  if (type === 'output') return new CompanionError('forbidden', "An access key cannot upload into ComfyUI's output folder (it holds jobs' results); upload with type=input.");
  if (type !== 'temp') return new CompanionError('invalid_request', 'The upload type must be input, temp or output.');
  if (f.overwrite !== 'true' && f.overwrite !== '1') return {};
  // Same target as server.py: join(temp, normpath(subfolder), filename), compared with the ledger's names.
  const filename = f.filename ?? '';
  const subfolder = posix.normalize((f.subfolder ?? '').replace(/\\/g, '/') || '.').replace(/\/+$/, '');
  // Part headers are read byte for byte (latin1) while aiohttp decodes UTF-8: only an ASCII name means one thing.
  const plain = /^[\x20-\x7e]+$/.test(filename) && !/[\\/]/.test(filename) && filename !== '..' && !subfolder.split('/').includes('..');
  if (plain && ledger.ownsOutput(owner, 'temp', subfolder === '.' ? '' : subfolder, filename)) return {};
  return new CompanionError('forbidden', `An access key may overwrite only its own jobs' files in ComfyUI's temp folder, not "${filename}".`);
}

/**
 * Where a key's upload into the input folder goes: `private-<id>/<client subfolder>`, or `3d/private-<id>/<rest>`
 * for the 3D folder. A subfolder already inside the key's own folder (a client sending back the `subfolder` it
 * was answered) stays where it is. Throws 400 for a subfolder that leaves the folder or names a key's folder.
 */
export function privateUploadSubfolder(owner: JobOwner, clientSubfolder: string): string {
  const why = badFileValue(clientSubfolder);
  if (why) throw new CompanionError('invalid_request', `The upload's subfolder holds ${why}; name a folder inside ComfyUI's input folder.`);
  const n = normalInputPath(clientSubfolder);
  if (n === null) throw new CompanionError('invalid_request', "The upload's subfolder must stay inside ComfyUI's input folder.");
  const mine = privateFolderOf(owner);
  const own3d = `${THREE_D_FOLDER}/${mine}`;
  if (n === mine || n.startsWith(`${mine}/`) || n === own3d || n.startsWith(`${own3d}/`)) return n;
  if (n.split('/').some(isPrivateSegment)) {
    throw new CompanionError('invalid_request', "The upload's subfolder names an access key's private folder; your uploads go to your own folder by themselves.");
  }
  if (n === THREE_D_FOLDER || n.startsWith(`${THREE_D_FOLDER}/`)) return own3d + n.slice(THREE_D_FOLDER.length);
  return n === '' ? mine : `${mine}/${n}`;
}

