// One health probe of the upstream: GET /system_stats and /queue (with the upstream key when set),
// turned into a HealthSample. Never throws; a failure is a sample with up=false and a reason.
import type { HealthSample } from './types';

export interface HealthSamplerOptions {
  upstream: () => string;
  upstreamKey?: () => string | null;
  fetch?: typeof fetch;
  now?: () => number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Gets each /queue body (the monitor learns running prompts' node names from it). */
  onQueue?(body: unknown): void;
}

interface SystemStats {
  system?: { comfyui_version?: unknown };
  devices?: Array<{ name?: unknown; type?: unknown; vram_total?: unknown; vram_free?: unknown }>;
}

interface QueueBody {
  queue_running?: unknown;
  queue_pending?: unknown;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Turns a fetch failure into a short reason without echoing URLs with credentials. */
function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'AbortError' || err.name === 'TimeoutError') return 'timed out';
    const cause = (err as { cause?: { code?: unknown } }).cause;
    if (cause && typeof cause.code === 'string') return `unreachable (${cause.code})`;
  }
  return 'unreachable';
}

export class HealthSampler {
  readonly #opts: Required<Omit<HealthSamplerOptions, 'upstreamKey' | 'onQueue'>> & Pick<HealthSamplerOptions, 'upstreamKey' | 'onQueue'>;

  constructor(options: HealthSamplerOptions) {
    this.#opts = {
      fetch: globalThis.fetch.bind(globalThis),
      now: Date.now,
      timeoutMs: 2000,
      ...options,
    };
  }

  async sample(): Promise<HealthSample> {
    const { now } = this.#opts;
    const started = now();
    const url = this.#opts.upstream();
    const down = (error: string): HealthSample => ({
      at: now(),
      url,
      up: false,
      latencyMs: null,
      queueRunning: 0,
      queuePending: 0,
      device: null,
      vramTotal: null,
      vramFree: null,
      comfyuiVersion: null,
      error,
    });
    let stats: SystemStats;
    let latencyMs: number;
    try {
      const res = await this.#get('/system_stats');
      latencyMs = Math.max(0, now() - started);
      if (res.status === 401 || res.status === 403) return down(`upstream refused the key (HTTP ${res.status})`);
      if (!res.ok) return down(`HTTP ${res.status}`);
      stats = (await res.json()) as SystemStats;
    } catch (err) {
      return down(reasonOf(err));
    }
    let queueRunning = 0;
    let queuePending = 0;
    try {
      const res = await this.#get('/queue');
      if (res.ok) {
        const q = (await res.json()) as QueueBody;
        this.#opts.onQueue?.(q);
        queueRunning = Array.isArray(q.queue_running) ? q.queue_running.length : 0;
        queuePending = Array.isArray(q.queue_pending) ? q.queue_pending.length : 0;
      }
    } catch {
      // The queue is secondary: /system_stats already proved the upstream is up.
    }
    const dev = Array.isArray(stats.devices) ? stats.devices[0] : undefined;
    return {
      at: now(),
      url,
      up: true,
      latencyMs,
      queueRunning,
      queuePending,
      device: dev ? { name: str(dev.name) ?? 'unknown', type: str(dev.type) ?? 'unknown' } : null,
      vramTotal: dev ? num(dev.vram_total) : null,
      vramFree: dev ? num(dev.vram_free) : null,
      comfyuiVersion: str(stats.system?.comfyui_version),
      error: null,
    };
  }

  /** GET a JSON body from the upstream (with its key); rejects on a network error or a non-2xx answer. */
  async getJson(path: string, timeoutMs = this.#opts.timeoutMs): Promise<unknown> {
    const res = await this.#get(path, timeoutMs);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json();
  }

  async #get(path: string, timeoutMs = this.#opts.timeoutMs): Promise<Response> {
    const base = this.#opts.upstream().replace(/\/+$/, '');
    const headers: Record<string, string> = { accept: 'application/json' };
    const key = this.#opts.upstreamKey?.();
    if (key) headers.authorization = `Bearer ${key}`;
    return this.#opts.fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  }
}
