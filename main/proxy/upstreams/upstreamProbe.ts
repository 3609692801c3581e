// The three questions the health watcher asks an upstream (SPEC §10), each with the upstream key:
// is it answering and how long is its queue (GET /prompt: cheap, no GPU call), what device does it have
// (GET /system_stats, asked less often), and what nodes does it have (GET /object_info, in rounds).
import { exchange, jsonOf } from '../forward/upstreamExchange';
import { upstreamGetJson, type UpstreamTarget } from '../forward/upstreamTarget';
import { digestObjectInfo, type ObjectInfoDigest } from './objectInfoHash';

export type ProbeResult = { ok: true; queue: number | null; latencyMs: number } | { ok: false; error: string };

export interface DeviceInfo {
  name: string;
  type: string;
  vramTotal: number;
  vramFree: number;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function statusProblem(status: number): string {
  if (status === 401 || status === 403) return `ComfyUI refused the upstream key (HTTP ${status})`;
  return `ComfyUI answered HTTP ${status}`;
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `not reachable (${e.code})` : (e.message || 'not reachable');
}

/** A kept-alive connection the server closed while idle fails once with a reset; that is no outage. */
function staleConnection(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException;
  return e.code === 'ECONNRESET' || e.message === 'socket hang up';
}

/** Liveness and queue length: GET /prompt → {"exec_info":{"queue_remaining":N}}. */
export async function probeLiveness(target: UpstreamTarget, headers: Record<string, string>, timeoutMs: number, retried = false): Promise<ProbeResult> {
  const started = performance.now();
  try {
    const { status, body } = await upstreamGetJson(target, '/prompt', headers, timeoutMs);
    if (status !== 200) return { ok: false, error: statusProblem(status) };
    const n = (body as { exec_info?: { queue_remaining?: unknown } } | null)?.exec_info?.queue_remaining;
    return { ok: true, queue: typeof n === 'number' && Number.isFinite(n) ? n : null, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    if (!retried && staleConnection(err)) return probeLiveness(target, headers, timeoutMs, true);
    const text = errorText(err);
    return { ok: false, error: text.startsWith('timed out') ? `no answer within ${timeoutMs} ms` : text };
  }
}

/** The first device of /system_stats, or null when it has none or did not answer. */
export async function probeDevice(target: UpstreamTarget, headers: Record<string, string>, timeoutMs: number): Promise<DeviceInfo | null> {
  try {
    const { status, body } = await upstreamGetJson(target, '/system_stats', headers, timeoutMs);
    const devices = status === 200 ? (body as { devices?: unknown } | null)?.devices : null;
    const d = Array.isArray(devices) ? (devices[0] as Record<string, unknown> | undefined) : undefined;
    if (!d) return null;
    return { name: String(d.name ?? 'unknown'), type: String(d.type ?? 'unknown'), vramTotal: num(d.vram_total), vramFree: num(d.vram_free) };
  } catch {
    return null;
  }
}

/**
 * /object_info can run to megabytes on a server with many custom nodes: read whole, up to 64 MiB, and reduced
 * at once to per-input digests (objectInfoHash.ts), so the parsed body is not kept.
 */
export async function probeObjectInfo(target: UpstreamTarget, headers: Record<string, string>, timeoutMs: number): Promise<ObjectInfoDigest | null> {
  try {
    const answer = await exchange(target, { method: 'GET', path: '/object_info', headers, capBytes: 64 * 1024 * 1024, connectTimeoutMs: timeoutMs, responseTimeoutMs: timeoutMs });
    return answer.status === 200 ? digestObjectInfo(jsonOf(answer.body)) : null;
  } catch {
    return null;
  }
}
