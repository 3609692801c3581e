// The consistency fingerprint of a ComfyUI (SPEC §10): a hash of its /object_info (node classes, their
// inputs, and the model lists inside them), so upstreams with other models or custom nodes are noticed.
// What legitimately differs between identical installs is left out: the choice lists of upload inputs
// (LoadImage's `image` lists the input folder, which changes with every upload).
import { createHash } from 'node:crypto';

export interface ObjectInfoFingerprint {
  /** 16 hex characters of sha256 over the normalised node set. */
  hash: string;
  /** Per node class, its own short hash: lets a mismatch be named ("missing X, different Y"). */
  nodes: Map<string, string>;
}

type Json = unknown;

/** An input spec's options object asks for an upload widget (image_upload, video_upload, audio_upload, …). */
function isUploadOptions(v: Json): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.entries(v).some(([k, x]) => k.endsWith('_upload') && x === true);
}

/** Replaces the file list of an upload input ([list, opts] or ["COMBO", {options, *_upload}]) by a marker. */
function normaliseInput(spec: Json): Json {
  if (!Array.isArray(spec) || spec.length < 2 || !isUploadOptions(spec[1])) return spec;
  const opts = { ...(spec[1] as Record<string, Json>) };
  if ('options' in opts) opts.options = '<uploads>';
  return [Array.isArray(spec[0]) ? '<uploads>' : spec[0], opts, ...spec.slice(2)];
}

function normaliseNode(node: Json): Json {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const n = node as Record<string, Json>;
  const input = n.input;
  if (typeof input !== 'object' || input === null) return node;
  const groups: Record<string, Json> = {};
  for (const [group, specs] of Object.entries(input as Record<string, Json>)) {
    if (typeof specs !== 'object' || specs === null || Array.isArray(specs)) {
      groups[group] = specs;
      continue;
    }
    groups[group] = Object.fromEntries(Object.entries(specs as Record<string, Json>).map(([name, spec]) => [name, normaliseInput(spec)]));
  }
  return { ...n, input: groups };
}

/** JSON with object keys sorted, so two servers' key order never matters. */
function stableJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, Json>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Fingerprints a parsed /object_info body; null when it is not an object of nodes. */
export function fingerprintObjectInfo(body: Json): ObjectInfoFingerprint | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const nodes = new Map<string, string>();
  const all = createHash('sha256');
  for (const name of Object.keys(body).sort()) {
    const h = sha(stableJson(normaliseNode((body as Record<string, Json>)[name]))).slice(0, 16);
    nodes.set(name, h);
    all.update(`${name}\0${h}\n`);
  }
  return { hash: all.digest('hex').slice(0, 16), nodes };
}

/** Names what differs between an upstream's nodes and the reference's, briefly, for a log line. */
export function describeDifference(mine: ObjectInfoFingerprint, reference: ObjectInfoFingerprint, max = 4): string {
  const missing: string[] = [];
  const extra: string[] = [];
  const changed: string[] = [];
  for (const [name, h] of reference.nodes) {
    const m = mine.nodes.get(name);
    if (m === undefined) missing.push(name);
    else if (m !== h) changed.push(name);
  }
  for (const name of mine.nodes.keys()) if (!reference.nodes.has(name)) extra.push(name);
  const part = (label: string, list: string[]) =>
    list.length === 0 ? null : `${label} ${list.slice(0, max).join(', ')}${list.length > max ? ` and ${list.length - max} more` : ''}`;
  return [part('lacks', missing), part('has extra', extra), part('differs in', changed)].filter(Boolean).join('; ') || 'same nodes, other details';
}
