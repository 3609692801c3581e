// A workflow can name files too (SPEC §8.3): ComfyUI's LoadImage and similar loaders accept annotated names
// such as "ComfyUI_00001_.png [output]" (folder_paths.annotated_filepath), which read from the output or temp
// folder whatever the node lists — so a key could load another key's output into its own job and view it.
// Keys may only name output/temp files their own jobs produced; `[input]` stays shared like /view's input.
import type { JobLedgerApi, JobOwner } from '../../jobs/types';

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

/** The first annotated output/temp file the workflow names that the owner did not produce, or null. */
export function foreignFileIn(prompt: unknown, ledger: JobLedgerApi, owner: JobOwner): string | null {
  if (typeof prompt !== 'object' || prompt === null) return null;
  for (const node of Object.values(prompt as Record<string, unknown>)) {
    const inputs = (node as { inputs?: unknown } | null)?.inputs;
    if (typeof inputs !== 'object' || inputs === null) continue;
    for (const value of Object.values(inputs as Record<string, unknown>)) {
      if (typeof value !== 'string') continue;
      const tag = TAGS.find(([t]) => value.endsWith(t));
      if (!tag) continue;
      const path = value.slice(0, -(tag[0].length + 1));
      if (!owns(ledger, owner, tag[1], path) || !owns(ledger, owner, tag[1], path.trim())) return value;
    }
  }
  return null;
}
