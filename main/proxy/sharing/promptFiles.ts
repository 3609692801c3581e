// A workflow can name files too (SPEC §8.3). ComfyUI's LoadImage and similar loaders join their choice to the
// input folder as given (folder_paths.get_annotated_filepath) and accept annotated names such as
// "ComfyUI_00001_.png [output]", which read from the output or temp folder whatever the node lists — so a key
// could load another key's output into its own job and view it. Keys may only name output/temp files their own
// jobs produced, never a file in another key's private upload folder (SPEC §8.3 private uploads, inputAccess.ts),
// and a file name may not be a path out of ComfyUI's folders.
import type { JobLedgerApi, JobOwner } from '../../jobs/types';
import { badFileValue, pyStrip } from './fileRules';
import { foreignInputIn } from './inputAccess';

// ComfyUI tests `name.endswith("[output]")` and drops the tag and ONE character before it, whatever that is
// ("x.png_[output]" is x.png); some versions also strip() what is left. Every reading must be the key's own.
const TAGS = [
  ['[output]', 'output'],
  ['[temp]', 'temp'],
  ['[input]', 'input'],
] as const;

/**
 * Extensions of the files loaders pick (images, video, audio, 3D, latents, models): a string ending in one is
 * judged as a file name. Text prompts ("… v2.1", "… artstation.com") are not, so they never trip the path rule.
 */
const FILE_EXT = /\.(?:png|jpe?g|webp|gif|bmp|tiff?|exr|hdr|heic|avif|mp4|webm|mov|mkv|avi|m4v|wav|mp3|flac|ogg|m4a|aac|opus|glb|gltf|obj|fbx|ply|stl|latent|safetensors|ckpt|pt|pth|bin|gguf|sft|npy|npz|json|txt|svg)$/i;
/** How many input values the proxy looks at in one workflow (nested lists and objects included). */
const MAX_VALUES = 200_000;

function owns(ledger: JobLedgerApi, owner: JobOwner, type: string, path: string): boolean {
  const cut = path.lastIndexOf('/');
  return ledger.ownsOutput(owner, type, cut >= 0 ? path.slice(0, cut) : '', cut >= 0 ? path.slice(cut + 1) : path);
}

/** Why a workflow input naming a file is not the key's to use, or null. */
function fileProblem(value: string, ledger: JobLedgerApi, owner: JobOwner): string | null {
  const foreign = foreignInputIn(value, owner);
  if (foreign) return foreign;
  const tag = TAGS.find(([t]) => value.endsWith(t));
  // The names ComfyUI may read: with the tag and the character before it dropped, stripped or not.
  const raw = tag ? value.slice(0, -(tag[0].length + 1)) : value;
  // Windows opens "x.png." and "x.png::$DATA" as x.png: those endings do not hide an extension.
  const readings = [...new Set([raw, pyStrip(raw), raw.replace(/(?::[^:/\\]*)+$/, '').replace(/[. ]+$/, '')])];
  if (tag || readings.some((r) => FILE_EXT.test(r))) {
    for (const name of readings) {
      const why = badFileValue(name);
      if (why) return `names "${value}" with ${why}; name files by their name (and subfolder) only`;
    }
  }
  if (tag && tag[1] !== 'input' && !readings.every((r) => owns(ledger, owner, tag[1], r))) {
    return `names "${value}", which is not among your jobs' outputs`;
  }
  return null;
}

/** The first problem with a file the workflow names (another key's output, a path out of ComfyUI's folders), or null. */
export function foreignFileIn(prompt: unknown, ledger: JobLedgerApi, owner: JobOwner): string | null {
  if (typeof prompt !== 'object' || prompt === null) return null;
  let budget = MAX_VALUES;
  // Iterative, so no nesting depth can overflow the stack; a workflow past the budget is refused.
  const stack: unknown[] = Object.values(prompt as Record<string, unknown>).map((node) => (node as { inputs?: unknown } | null)?.inputs);
  while (stack.length > 0) {
    if (--budget < 0) return 'has more input values than the proxy checks';
    const value = stack.pop();
    if (typeof value === 'string') {
      const found = fileProblem(value, ledger, owner);
      if (found) return found;
    } else if (typeof value === 'object' && value !== null) {
      for (const item of Array.isArray(value) ? value : Object.values(value)) stack.push(item);
    }
  }
  return null;
}
