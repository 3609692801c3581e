// The consistency fingerprint of a ComfyUI (SPEC §10): what makes two servers interchangeable — node classes,
// their inputs and types, and the model lists inside them — from GET /object_info, so upstreams with other
// models or custom nodes are noticed. Choices that mirror the input/output/temp folders are left out
// (folderInputs.ts): they differ between identical installs with every upload or new subfolder.
// Two steps: each server's body is reduced to small per-input digests at once (the body is then freed), and
// the digests of all live servers, fetched together, are fingerprinted together: an input one server shows
// to mirror a folder is compared by its type alone on every server, so the verdict never depends on which
// server happened to reveal it.
import { createHash } from 'node:crypto';
import { comboChoices, folderDerivedInputs, inputsOf } from './folderInputs';

type Json = unknown;
type Obj = Record<string, Json>;

/** One input: its spec as is, and (for a combo) with its choices and default left out. */
interface InputDigest {
  full: string;
  shape: string;
}

/** One server's /object_info, reduced: per node, a digest of everything but its inputs, and one per input. */
export interface ObjectInfoDigest {
  nodes: Map<string, { meta: string; inputs: Map<string, InputDigest> }>;
  /** `Class.input` of the inputs this server shows to mirror a folder. */
  folderInputs: Set<string>;
}

export interface ObjectInfoFingerprint {
  /** 16 hex characters of sha256 over the compared node set (comparable within one round of fetches). */
  hash: string;
  /** Per node class, its own short hash: lets a mismatch be named. */
  nodes: Map<string, string>;
  /** Per node class, per input, the digest that was compared. */
  inputs: Map<string, Map<string, string>>;
}

/** What differs between an upstream and the reference, for /health, the log and the monitor. */
export interface ObjectInfoDifference {
  /** Node classes the reference has and this one lacks. */
  lacks: string[];
  /** Node classes only this one has. */
  extra: string[];
  /** `Class.input` whose type, options or model list differ (or that only one side has). */
  inputs: string[];
  /** Node classes that differ elsewhere than in their inputs (outputs, category, description…). */
  nodes: string[];
}

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so two servers' key order never matters. */
function stableJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v)) {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** A combo's spec without its choices and default (a folder's default is one of its files). */
function shapeOf(spec: Json[]): Json {
  const opts = isObj(spec[1]) ? { ...spec[1] } : undefined;
  if (opts) delete opts.default;
  if (spec[0] === 'COMBO') return ['COMBO', opts ? { ...opts, options: '<choices>' } : undefined, ...spec.slice(2)];
  return ['<choices>', opts, ...spec.slice(2)];
}

function digestInput(group: string, spec: Json): InputDigest {
  const full = sha(stableJson([group, spec]));
  const listed = Array.isArray(spec) && (comboChoices(spec) !== null || spec[0] === 'COMBO');
  return { full, shape: listed ? sha(stableJson([group, shapeOf(spec as Json[])])) : full };
}

/** Reduces a parsed /object_info body; null when it is not an object of nodes. */
export function digestObjectInfo(body: Json): ObjectInfoDigest | null {
  if (!isObj(body)) return null;
  const nodes: ObjectInfoDigest['nodes'] = new Map();
  for (const [cls, node] of Object.entries(body)) {
    const inputs = new Map<string, InputDigest>();
    for (const [group, name, spec] of inputsOf(node)) inputs.set(name, digestInput(group, spec));
    // Everything but the inputs (outputs, category, description…) as one digest.
    const meta = isObj(node) ? Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'input')) : node;
    nodes.set(cls, { meta: sha(stableJson(meta)), inputs });
  }
  return { nodes, folderInputs: folderDerivedInputs(body) };
}

/** Fingerprints the digests of one round together: an input that mirrors a folder on any is compared by shape on all. */
export function fingerprintTogether(digests: readonly (ObjectInfoDigest | null)[]): (ObjectInfoFingerprint | null)[] {
  const folder = new Set<string>();
  for (const d of digests) for (const k of d?.folderInputs ?? []) folder.add(k);
  return digests.map((d) => {
    if (!d) return null;
    const nodes = new Map<string, string>();
    const inputs = new Map<string, Map<string, string>>();
    const all = createHash('sha256');
    for (const cls of [...d.nodes.keys()].sort()) {
      const n = d.nodes.get(cls) as { meta: string; inputs: Map<string, InputDigest> };
      const compared = new Map<string, string>();
      const node = createHash('sha256').update(n.meta);
      for (const name of [...n.inputs.keys()].sort()) {
        const digest = n.inputs.get(name) as InputDigest;
        const h = folder.has(`${cls}.${name}`) ? digest.shape : digest.full;
        compared.set(name, h);
        node.update(`\n${name}\0${h}`);
      }
      const h = node.digest('hex').slice(0, 16);
      nodes.set(cls, h);
      inputs.set(cls, compared);
      all.update(`${cls}\0${h}\n`);
    }
    return { hash: all.digest('hex').slice(0, 16), nodes, inputs };
  });
}

/** One server on its own (its own folder inputs only): for tests and single reads. */
export function fingerprintObjectInfo(body: Json): ObjectInfoFingerprint | null {
  return fingerprintTogether([digestObjectInfo(body)])[0] ?? null;
}

/** What differs between an upstream's fingerprint and the reference's, by node and by input. */
export function differenceOf(mine: ObjectInfoFingerprint, reference: ObjectInfoFingerprint): ObjectInfoDifference {
  const d: ObjectInfoDifference = { lacks: [], extra: [], inputs: [], nodes: [] };
  for (const [cls, h] of reference.nodes) {
    const m = mine.nodes.get(cls);
    if (m === undefined) d.lacks.push(cls);
    else if (m !== h) {
      const mi = mine.inputs.get(cls) ?? new Map<string, string>();
      const ri = reference.inputs.get(cls) ?? new Map<string, string>();
      const names = [...new Set([...ri.keys(), ...mi.keys()])].sort().filter((n) => mi.get(n) !== ri.get(n));
      if (names.length === 0) d.nodes.push(cls);
      else d.inputs.push(...names.map((n) => `${cls}.${n}`));
    }
  }
  for (const cls of mine.nodes.keys()) if (!reference.nodes.has(cls)) d.extra.push(cls);
  for (const list of Object.values(d)) list.sort();
  return d;
}

/** The difference in a few words, for a log line: "lacks X; has extra Y; differs in A.b, C". */
export function describeDifference(d: ObjectInfoDifference, max = 4): string {
  const part = (label: string, list: string[]) =>
    list.length === 0 ? null : `${label} ${list.slice(0, max).join(', ')}${list.length > max ? ` and ${list.length - max} more` : ''}`;
  return [part('lacks', d.lacks), part('has extra', d.extra), part('differs in', [...d.inputs, ...d.nodes])].filter(Boolean).join('; ') || 'same nodes, other details';
}
