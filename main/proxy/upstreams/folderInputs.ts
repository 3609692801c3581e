// Which /object_info inputs mirror the input, output or temp folder rather than what a server can run
// (SPEC §10). Two identical installs differ in these as soon as someone uploads a file or ComfyUI creates a
// folder, so the consistency fingerprint compares their type but not their choices. Three rules, checked
// against ComfyUI's sources (docs/upstreams.md lists where):
// 1. an upload or folder widget: options with `*_upload: true` (LoadImage, LoadImageMask, LoadAudio,
//    LoadVideo, Load3D's `file_upload`), `image_folder` or `remote` (LoadImageOutput fetches its choices);
// 2. core inputs that list a folder without any marker (KNOWN_FOLDER_INPUTS);
// 3. any other combo whose every choice is a name rule 1 or 2 found on the same server (a custom node that
//    calls folder_paths.get_input_subfolders() or lists the input images the way LoadImage does).
type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Core nodes whose choices are read from the input folder with no upload marker:
 * - comfy_extras/nodes_train.py (v0.3.64) LoadImageSetFromFolderNode, LoadImageTextSetFromFolderNode:
 *   `"folder": (folder_paths.get_input_subfolders(), …)` — every subfolder of input/, recursively;
 * - comfy_extras/nodes_dataset.py (newer) LoadImageDataSetFromFolder, LoadImageTextDataSetFromFolder:
 *   `io.Combo.Input("folder", options=folder_paths.get_input_subfolders())`;
 * - nodes.py LoadLatent: `"latent": [sorted(f for f in os.listdir(input_dir) if f.endswith(".latent"))]`.
 */
export const KNOWN_FOLDER_INPUTS: ReadonlyMap<string, readonly string[]> = new Map([
  ['LoadImageSetFromFolderNode', ['folder']],
  ['LoadImageTextSetFromFolderNode', ['folder']],
  ['LoadImageDataSetFromFolder', ['folder']],
  ['LoadImageTextDataSetFromFolder', ['folder']],
  ['LoadLatent', ['latent']],
]);

/** An input's options say its choices come from a folder or a live route. */
export function markedAsFolder(opts: Json): boolean {
  if (!isObj(opts)) return false;
  return Object.entries(opts).some(([k, v]) => (k.endsWith('_upload') && v === true) || k === 'image_folder' || (k === 'remote' && isObj(v)));
}

/** The choices of a combo input: `[list, opts]` (classic) or `["COMBO", {options: list}]` (v3 schema); else null. */
export function comboChoices(spec: Json): Json[] | null {
  if (!Array.isArray(spec) || spec.length === 0) return null;
  if (Array.isArray(spec[0])) return spec[0] as Json[];
  if (spec[0] === 'COMBO' && isObj(spec[1]) && Array.isArray(spec[1].options)) return spec[1].options as Json[];
  return null;
}

/** Every input spec of a node, by name: required, optional and hidden groups alike. */
export function inputsOf(node: Json): [group: string, name: string, spec: Json][] {
  if (!isObj(node) || !isObj(node.input)) return [];
  const out: [string, string, Json][] = [];
  for (const [group, specs] of Object.entries(node.input)) {
    if (isObj(specs)) for (const [name, spec] of Object.entries(specs)) out.push([group, name, spec]);
  }
  return out;
}

/** `Class.input` of every input of this /object_info that mirrors a folder (the three rules above). */
export function folderDerivedInputs(nodes: Obj): Set<string> {
  const found = new Set<string>();
  const names = new Set<string>();
  const combos: [key: string, choices: Json[]][] = [];
  for (const [cls, node] of Object.entries(nodes)) {
    const known = KNOWN_FOLDER_INPUTS.get(cls);
    for (const [, name, spec] of inputsOf(node)) {
      const key = `${cls}.${name}`;
      const choices = comboChoices(spec);
      if (known?.includes(name) || (Array.isArray(spec) && markedAsFolder(spec[1]))) {
        found.add(key);
        for (const c of choices ?? []) if (typeof c === 'string') names.add(c);
      } else if (choices && choices.length > 0) {
        combos.push([key, choices]);
      }
    }
  }
  for (const [key, choices] of combos) {
    if (choices.every((c) => typeof c === 'string' && names.has(c))) found.add(key);
  }
  return found;
}
