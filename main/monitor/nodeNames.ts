// Names for the nodes of running jobs, so the monitor says "KSampler" or the user's own node title
// instead of "Node 3": each prompt's nodes come from ComfyUI's /queue (which the health sampler reads
// anyway), display names of node types from /object_info, fetched once per upstream.
import { gauge } from '../common/sizeGauges';
const MAX_PROMPTS = 200;

interface NodeInfo {
  classType: string | null;
  /** The title the user gave the node (`_meta.title` in API-format prompts). */
  title: string | null;
}

function str(v: unknown, max = 200): string | null {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null;
}

function readPromptNodes(prompt: unknown): Map<string, NodeInfo> | null {
  if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt)) return null;
  const nodes = new Map<string, NodeInfo>();
  for (const [id, node] of Object.entries(prompt as Record<string, unknown>)) {
    if (typeof node !== 'object' || node === null) continue;
    const n = node as { class_type?: unknown; _meta?: { title?: unknown } };
    nodes.set(id, { classType: str(n.class_type), title: str(n._meta?.title) });
  }
  return nodes;
}

export class NodeNames {
  readonly #load: () => Promise<unknown>;
  readonly #prompts = new Map<string, Map<string, NodeInfo>>();
  #displayNames = new Map<string, string>();
  #objectInfo: 'none' | 'loading' | 'loaded' = 'none';
  #generation = 0;

  /** `loadObjectInfo` fetches the upstream's /object_info body (rejects on failure). */
  constructor(loadObjectInfo: () => Promise<unknown>) {
    gauge('monitor.prompts', this, (n) => n.#prompts.size);
    this.#load = loadObjectInfo;
  }

  /**
   * Learns the prompts of a /queue body (ComfyUI's [number, prompt_id, prompt, extra_data, outputs]
   * entries). Returns true when a prompt not seen before was added.
   */
  observeQueue(body: unknown): boolean {
    if (typeof body !== 'object' || body === null) return false;
    const q = body as { queue_running?: unknown; queue_pending?: unknown };
    let learned = false;
    for (const list of [q.queue_running, q.queue_pending]) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        if (!Array.isArray(item)) continue;
        const promptId = str(item[1], 100);
        if (!promptId || this.#prompts.has(promptId)) continue;
        const nodes = readPromptNodes(item[2]);
        if (!nodes) continue;
        this.#prompts.set(promptId, nodes);
        learned = true;
        if (this.#prompts.size > MAX_PROMPTS) this.#prompts.delete(this.#prompts.keys().next().value as string);
      }
    }
    return learned;
  }

  /** Fetches /object_info once (again after `reset`); resolves true when names were loaded. */
  async loadDisplayNames(): Promise<boolean> {
    if (this.#objectInfo !== 'none') return false;
    this.#objectInfo = 'loading';
    const generation = this.#generation;
    try {
      const body = await this.#load();
      if (generation !== this.#generation) return false;
      const names = new Map<string, string>();
      if (typeof body === 'object' && body !== null) {
        for (const [type, def] of Object.entries(body as Record<string, unknown>)) {
          const display = str((def as { display_name?: unknown } | null)?.display_name);
          if (display) names.set(type, display);
        }
      }
      this.#displayNames = names;
      this.#objectInfo = 'loaded';
      return true;
    } catch {
      // Names are a nicety: try again at the next chance, show ids meanwhile.
      if (generation === this.#generation) this.#objectInfo = 'none';
      return false;
    }
  }

  /** The upstream changed: forget everything it told us. */
  reset(): void {
    this.#generation++;
    this.#prompts.clear();
    this.#displayNames = new Map();
    this.#objectInfo = 'none';
  }

  nameOf(promptId: string, nodeId: string | null): string | null {
    if (nodeId === null) return null;
    const node = this.#prompts.get(promptId)?.get(nodeId);
    if (!node) return null;
    if (node.title) return node.title;
    if (node.classType) return this.#displayNames.get(node.classType) ?? node.classType;
    return null;
  }

  nodeCount(promptId: string): number | null {
    return this.#prompts.get(promptId)?.size ?? null;
  }
}
