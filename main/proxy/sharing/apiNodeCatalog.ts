// Which node classes are ComfyUI's paid API nodes (SPEC §8.8): ComfyUI's `/object_info` marks each with
// `"api_node": true` (comfy_api_nodes; they run on comfy.org and spend the credits of the account whose
// credential the job carries). Learned from every live upstream (the union: a job may land on any), kept
// fresh: read again when it is older than `maxAgeMs`, or when a prompt names a class never seen (a custom
// node or ComfyUI update arrived), at most once per `minIntervalMs`. A failed read keeps what was known.
import type { Upstream } from '../forward/upstreamTarget';

/** GET /object_info of one upstream, parsed (with the caller's upstream headers). */
export type ReadObjectInfo = (upstream: Upstream) => Promise<unknown>;

export interface ApiNodeCatalogOptions {
  now(): number;
  maxAgeMs?: number;
  minIntervalMs?: number;
}

/** The `class_type` of every node of an API-format prompt (`{id: {class_type, inputs}}`). */
export function classTypesOf(prompt: unknown): string[] {
  if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt)) return [];
  const out = new Set<string>();
  for (const node of Object.values(prompt as Record<string, unknown>)) {
    const type = (node as { class_type?: unknown } | null)?.class_type;
    if (typeof type === 'string') out.add(type);
  }
  return [...out];
}

export class ApiNodeCatalog {
  readonly #o: Required<ApiNodeCatalogOptions>;
  #apiNodes = new Set<string>();
  #known = new Set<string>();
  #readAt = -Infinity;
  #reading: Promise<void> | null = null;

  constructor(options: ApiNodeCatalogOptions) {
    this.#o = { maxAgeMs: 10 * 60_000, minIntervalMs: 10_000, ...options };
  }

  /** The API node classes this prompt uses (sorted), reading ComfyUI first when the catalog is stale. */
  async apiNodesIn(prompt: unknown, upstreams: readonly Upstream[], read: ReadObjectInfo): Promise<string[]> {
    const classes = classTypesOf(prompt);
    const age = this.#o.now() - this.#readAt;
    const unseen = classes.some((c) => !this.#known.has(c));
    if (upstreams.length > 0 && (age > this.#o.maxAgeMs || (unseen && age > this.#o.minIntervalMs))) await this.#read(upstreams, read);
    return classes.filter((c) => this.#apiNodes.has(c)).sort();
  }

  /** Every API node class known now (for docs and tests). */
  known(): string[] {
    return [...this.#apiNodes].sort();
  }

  #read(upstreams: readonly Upstream[], read: ReadObjectInfo): Promise<void> {
    this.#reading ??= (async () => {
      const answers = await Promise.allSettled(upstreams.map((u) => read(u)));
      const apiNodes = new Set<string>();
      const known = new Set<string>();
      let any = false;
      for (const a of answers) {
        if (a.status !== 'fulfilled' || typeof a.value !== 'object' || a.value === null) continue;
        any = true;
        for (const [name, info] of Object.entries(a.value as Record<string, unknown>)) {
          known.add(name);
          if ((info as { api_node?: unknown } | null)?.api_node === true) apiNodes.add(name);
        }
      }
      if (any) [this.#apiNodes, this.#known] = [apiNodes, known];
      this.#readAt = this.#o.now();
    })().finally(() => (this.#reading = null));
    return this.#reading;
  }
}
