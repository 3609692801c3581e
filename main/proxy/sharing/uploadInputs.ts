// The file lists of upload inputs in a key's /object_info (SPEC §8.3 "Private uploads"). ComfyUI builds them from
// its one input folder for everyone: LoadImage (nodes.py INPUT_TYPES: the top level, images only; `image_upload`),
// LoadVideo (`video_upload`), LoadAudio (`audio_upload`, audio and video files), Load3D (`file_upload`, every
// model under `3d/`). Old-style nodes send `[[files…], {image_upload: true}]`, newer ones (comfy_api io.Combo)
// `["COMBO", {options: [files…], video_upload: true}]`. For a key each list keeps the files it may read (another
// key's never) and gets the key's own uploads first, newest first, the way ComfyUI would list them: those in the
// top level of its folder, and for 3D loaders those under `3d/`.
import { privateFolderOf, THREE_D_FOLDER } from '../../common/inputFolders';

type Json = Record<string, unknown>;
type Kind = 'image' | 'video' | 'audio' | 'model';

const FLAGS: [string, Kind][] = [
  ['image_upload', 'image'],
  ['video_upload', 'video'],
  ['audio_upload', 'audio'],
  ['file_upload', 'model'],
];

// Python's mimetypes as ComfyUI uses it (folder_paths.filter_files_content_types), for the common types.
const IMAGE = /\.(?:png|jpe?g|jpe|gif|webp|bmp|tiff?|ico|svg|avif|heic|heif)$/i;
const VIDEO = /\.(?:mp4|webm|mov|mkv|avi|m4v|mpe?g)$/i;
const AUDIO = /\.(?:wav|mp3|flac|ogg|oga|opus|m4a|aac|aiff?)$/i;
/** nodes_load_3d.py Load3D's suffixes. */
const MODEL = /\.(?:gltf|glb|obj|fbx|stl|spz|splat|ply|ksplat)$/i;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The upload kind of an input spec whose list holds input files, or null. */
function uploadKind(spec: unknown): { kind: Kind; list: unknown[]; combo: boolean } | null {
  if (!Array.isArray(spec) || spec.length < 2 || !isObject(spec[1])) return null;
  const opts = spec[1];
  const kind = FLAGS.find(([flag]) => opts[flag] === true)?.[1];
  // LoadImageOutput lists the output folder through a remote route: not the input folder's files.
  if (!kind || (opts.image_folder !== undefined && opts.image_folder !== 'input')) return null;
  if (Array.isArray(spec[0])) return { kind, list: spec[0], combo: false };
  if (Array.isArray(opts.options)) return { kind, list: opts.options, combo: true };
  return null;
}

/** The key's uploads ComfyUI would put in a list of this kind (paths newest first). */
function ownFor(kind: Kind, own: readonly string[], keyId: string): string[] {
  if (kind === 'model') {
    const prefix = `${THREE_D_FOLDER}/${privateFolderOf(keyId)}/`;
    return own.filter((p) => p.startsWith(prefix) && MODEL.test(p));
  }
  const top = `${privateFolderOf(keyId)}/`;
  const type = kind === 'image' ? IMAGE : kind === 'video' ? VIDEO : null;
  return own.filter((p) => p.startsWith(top) && !p.slice(top.length).includes('/') && (type ? type.test(p) : AUDIO.test(p) || VIDEO.test(p)));
}

function rewriteSpec(spec: unknown[], u: NonNullable<ReturnType<typeof uploadKind>>, visible: (path: string) => boolean, own: string[]): unknown[] {
  const mine = new Set(own);
  const list = [...own, ...u.list.filter((f) => typeof f !== 'string' || (visible(f) && !mine.has(f)))];
  return u.combo ? [spec[0], { ...(spec[1] as Json), options: list }, ...spec.slice(2)] : [list, ...spec.slice(1)];
}

/**
 * The node definitions as a key sees them; untouched nodes are the same objects (the parsed base is shared by
 * every key and never changed). `visible` says whether the key may read an input path.
 */
export function keyNodeDefs(defs: Json, keyId: string, own: readonly string[], visible: (path: string) => boolean): Json {
  const out: Json = { ...defs };
  for (const [name, node] of Object.entries(defs)) {
    if (!isObject(node) || !isObject(node.input)) continue;
    let input: Json | null = null;
    for (const [group, specs] of Object.entries(node.input)) {
      if (!isObject(specs)) continue;
      for (const [inputName, spec] of Object.entries(specs)) {
        const u = uploadKind(spec);
        if (!u) continue;
        input ??= { ...node.input };
        const groupCopy = (input[group] = input[group] === specs ? { ...specs } : input[group]) as Json;
        groupCopy[inputName] = rewriteSpec(spec as unknown[], u, visible, ownFor(u.kind, own, keyId));
      }
    }
    if (input) out[name] = { ...node, input };
  }
  return out;
}
