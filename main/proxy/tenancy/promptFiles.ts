// A workflow can name files too (SPEC §8.3): ComfyUI's LoadImage and similar loaders accept annotated names
// such as "ComfyUI_00001_.png [output]" (folder_paths.annotated_filepath), which read from the output or temp
// folder whatever the node lists — so a key could load another key's output into its own job and view it.
// Keys may only name output/temp files their own jobs produced; `[input]` stays shared like /view's input.
import type { JobLedgerApi, JobOwner } from '../../jobs/types';

const ANNOTATED = /^(.*) \[(output|temp)\]$/;

/** The first annotated output/temp file the workflow names that the owner did not produce, or null. */
export function foreignFileIn(prompt: unknown, ledger: JobLedgerApi, owner: JobOwner): string | null {
  if (typeof prompt !== 'object' || prompt === null) return null;
  for (const node of Object.values(prompt as Record<string, unknown>)) {
    const inputs = (node as { inputs?: unknown } | null)?.inputs;
    if (typeof inputs !== 'object' || inputs === null) continue;
    for (const value of Object.values(inputs as Record<string, unknown>)) {
      if (typeof value !== 'string') continue;
      const m = ANNOTATED.exec(value);
      if (!m) continue;
      const path = m[1] ?? '';
      const cut = path.lastIndexOf('/');
      const subfolder = cut >= 0 ? path.slice(0, cut) : '';
      const filename = cut >= 0 ? path.slice(cut + 1) : path;
      if (!ledger.ownsOutput(owner, m[2] ?? 'output', subfolder, filename)) return value;
    }
  }
  return null;
}
