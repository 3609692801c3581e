// A workflow can name files too (SPEC §8.3): ComfyUI's LoadImage and similar loaders accept annotated names
// such as "ComfyUI_00001_.png [output]" (folder_paths.annotated_filepath), which read from the output or temp
// folder whatever the node lists — so a key could load another key's output into its own job and view it.
// Keys may only name output/temp files their own jobs produced; `[input]` stays shared like /view's input.
import type { JobLedgerApi, JobOwner } from '../../jobs/types';
import { badFileValue } from './fileRules';

// ComfyUI tests `name.endswith("[output]")` and drops the tag and ONE character before it, whatever that is
// ("x.png_[output]" is x.png); newer versions also strip() what is left. Both readings must be the key's own.
const TAGS = [
  ['[output]', 'output'],
  ['[temp]', 'temp'],
] as const;

function owns(ledger: JobLedgerApi, owner: JobOwner, type: string, path: string): boolean {
  const cut = path.lastIndexOf('/');
  return ledger.ownsOutput(owner, type, cut >= 0 ? path.slice(0, cut) : '', cut >= 0 ? path.slice(cut + 1) : path);
}

/** How deep the proxy looks into a node's inputs for file names (lists and objects of them). */
const MAX_DEPTH = 4;
/** A string that names a file: it ends in an extension (or a folder tag), as every loader's choice does. */
const FILE_LIKE = /\.[A-Za-z0-9]{1,8}(?:.\[(?:input|output|temp)\])?$/;
const ANY_TAG = /.\[(?:input|output|temp)\]$/;

/** Why a workflow input naming a file is not the key's to use, or null. */
function fileProblem(value: string, ledger: JobLedgerApi, owner: JobOwner): string | null {
  const tag = TAGS.find(([t]) => value.endsWith(t));
  if (tag) {
    const path = value.slice(0, -(tag[0].length + 1));
    if (!owns(ledger, owner, tag[1], path) || !owns(ledger, owner, tag[1], path.trim())) return `names "${value}", which is not among your jobs' outputs`;
  }
  // ComfyUI joins a loader's choice to the input folder as it is (folder_paths.get_annotated_filepath), so
  // "../output/x.png" or an absolute path reads another key's files: names are names, not paths.
  if (FILE_LIKE.test(value)) {
    const why = badFileValue(value.replace(ANY_TAG, ''));
    if (why) return `names "${value}" with ${why}; name files by their name (and subfolder) only`;
  }
  return null;
}

/** The first problem with a file the workflow names (another key's output, a path out of ComfyUI's folders), or null. */
export function foreignFileIn(prompt: unknown, ledger: JobLedgerApi, owner: JobOwner): string | null {
  if (typeof prompt !== 'object' || prompt === null) return null;
  const walk = (value: unknown, depth: number): string | null => {
    if (typeof value === 'string') return fileProblem(value, ledger, owner);
    if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return null;
    for (const item of Array.isArray(value) ? value : Object.values(value)) {
      const found = walk(item, depth + 1);
      if (found) return found;
    }
    return null;
  };
  for (const node of Object.values(prompt as Record<string, unknown>)) {
    const found = walk((node as { inputs?: unknown } | null)?.inputs, 0);
    if (found) return found;
  }
  return null;
}
