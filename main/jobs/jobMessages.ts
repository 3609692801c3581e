// Reads ComfyUI's execution messages and /history entries into ledger facts: which job, what happened,
// which files it produced. Pure functions; tolerant of garbage (a custom node may send anything).
import type { ComfyWsMessage, JobOutput } from './types';

const MAX_ID = 200;
const MAX_ERROR = 300;

export type WsFact =
  /** `stamp`: ComfyUI's own timestamp of the event (epoch ms), where the message carried one. */
  | { kind: 'started'; promptId: string; stamp?: number }
  /** `entered`: an `executing` message (a new node starts); `step`: a `progress` message's sampler step. */
  | { kind: 'node'; promptId: string; node: string; entered?: true; step?: { value: number; max: number } }
  | { kind: 'outputs'; promptId: string; outputs: JobOutput[] }
  | { kind: 'success'; promptId: string; stamp?: number }
  | { kind: 'error'; promptId: string; message: string; stamp?: number }
  | { kind: 'interrupted'; promptId: string; stamp?: number };

/** ComfyUI's `timestamp` (epoch ms, added by PromptExecutor.add_message since 2025), when present and sane. */
function stampOf(data: Record<string, unknown>): { stamp?: number } {
  const t = data.timestamp;
  return typeof t === 'number' && Number.isFinite(t) && t > 0 ? { stamp: t } : {};
}

/** Parses a relayed text frame when it may name a job; null for status and other chatter. */
export function parseJobMessage(text: string): ComfyWsMessage | null {
  if (!text.includes('"prompt_id"')) return null;
  try {
    const msg = JSON.parse(text) as { type?: unknown; data?: unknown };
    if (typeof msg.type !== 'string' || typeof msg.data !== 'object' || msg.data === null) return null;
    return msg as ComfyWsMessage;
  } catch {
    return null;
  }
}

/** The prompt_id a message is about, or null (status, crystools monitors, …). */
export function promptIdOf(message: ComfyWsMessage): string | null {
  const id = message.data.prompt_id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID ? id : null;
}

export function readWsMessage(message: ComfyWsMessage): WsFact | null {
  const promptId = promptIdOf(message);
  if (promptId === null) return null;
  const { data } = message;
  switch (message.type) {
    case 'execution_start':
      return { kind: 'started', promptId, ...stampOf(data) };
    case 'execution_cached':
      return { kind: 'started', promptId };
    case 'executing':
    case 'progress':
    case 'progress_state': {
      // ComfyUI before execution_success ended a prompt with `executing` and node null.
      if (message.type === 'executing' && data.node === null) return { kind: 'success', promptId };
      const node = data.node ?? data.display_node;
      if (typeof node !== 'string' && typeof node !== 'number') return { kind: 'started', promptId };
      const fact = { kind: 'node', promptId, node: String(node) } as const;
      if (message.type === 'executing') return { ...fact, entered: true };
      if (message.type === 'progress') return { ...fact, step: { value: nonNegative(data.value), max: nonNegative(data.max) } };
      return fact;
    }
    case 'executed':
      return { kind: 'outputs', promptId, outputs: outputsOf(data.output) };
    case 'execution_success':
      return { kind: 'success', promptId, ...stampOf(data) };
    case 'execution_error': {
      const text = typeof data.exception_message === 'string' ? data.exception_message : 'Execution error';
      return { kind: 'error', promptId, message: text.slice(0, MAX_ERROR), ...stampOf(data) };
    }
    case 'execution_interrupted':
      return { kind: 'interrupted', promptId, ...stampOf(data) };
    default:
      return null;
  }
}

function nonNegative(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(0, v) : 0;
}

function isFileRef(v: unknown): v is { filename: string; subfolder?: unknown; type?: unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { filename?: unknown }).filename === 'string';
}

/** Files named in a node's output ({images: [...], gifs: [...], audio: [...], …}). */
export function outputsOf(output: unknown): JobOutput[] {
  if (typeof output !== 'object' || output === null) return [];
  const found: JobOutput[] = [];
  for (const list of Object.values(output as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (!isFileRef(item)) continue;
      const type = typeof item.type === 'string' ? item.type : 'output';
      found.push({ filename: item.filename, subfolder: typeof item.subfolder === 'string' ? item.subfolder : '', type });
    }
  }
  return found;
}

export interface HistoryFact {
  promptId: string;
  outputs: JobOutput[];
  /** null while ComfyUI has no final status for it. */
  final: 'success' | 'error' | 'interrupted' | null;
  error: string | null;
  /** ComfyUI's `execution_start` and end (`execution_success|error|interrupted`) timestamps, when given. */
  startStamp: number | null;
  endStamp: number | null;
}

const END_EVENTS = new Set(['execution_success', 'execution_error', 'execution_interrupted']);

/** The start and end timestamps in a history entry's `status.messages` (`[[event, {timestamp, …}], …]`). */
function stampsOf(messages: readonly unknown[]): { startStamp: number | null; endStamp: number | null } {
  let startStamp: number | null = null;
  let endStamp: number | null = null;
  for (const m of messages) {
    if (!Array.isArray(m) || typeof m[0] !== 'string' || typeof m[1] !== 'object' || m[1] === null) continue;
    const { stamp } = stampOf(m[1] as Record<string, unknown>);
    if (stamp === undefined) continue;
    if (m[0] === 'execution_start') startStamp = stamp;
    else if (END_EVENTS.has(m[0])) endStamp = stamp;
  }
  return { startStamp, endStamp };
}

/** One /history body: `{prompt_id: {outputs: {node: {...}}, status: {status_str, completed, messages}}}`. */
export function readHistory(history: unknown): HistoryFact[] {
  if (typeof history !== 'object' || history === null || Array.isArray(history)) return [];
  const facts: HistoryFact[] = [];
  for (const [promptId, entry] of Object.entries(history as Record<string, unknown>)) {
    if (promptId.length > MAX_ID || typeof entry !== 'object' || entry === null) continue;
    const e = entry as { outputs?: unknown; status?: { status_str?: unknown; messages?: unknown } };
    const outputs = typeof e.outputs === 'object' && e.outputs !== null ? Object.values(e.outputs).flatMap(outputsOf) : [];
    const messages = Array.isArray(e.status?.messages) ? (e.status.messages as unknown[]) : [];
    const names = messages.map((m) => (Array.isArray(m) ? m[0] : null));
    let final: HistoryFact['final'] = null;
    if (names.includes('execution_interrupted')) final = 'interrupted';
    else if (e.status?.status_str === 'error') final = 'error';
    else if (e.status?.status_str === 'success') final = 'success';
    facts.push({ promptId, outputs, final, error: final === 'error' ? 'Execution error (from /history)' : null, ...stampsOf(messages) });
  }
  return facts;
}

/** A workflow name for display: extra_data.extra_pnginfo.workflow's title, if the client sent one. */
export function workflowNameOf(extraData: unknown): string | null {
  const info = (extraData as { extra_pnginfo?: { workflow?: { extra?: { title?: unknown }; name?: unknown } } } | undefined)?.extra_pnginfo;
  const candidate = info?.workflow?.extra?.title ?? info?.workflow?.name;
  return typeof candidate === 'string' && candidate.trim() ? candidate.trim().slice(0, 120) : null;
}
