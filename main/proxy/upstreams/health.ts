// GET /health (SPEC §4): the seed's shape plus `upstream` and `proxy`, built from the upstream's
// /system_stats and /queue, cached for up to a second so a polling monitor costs the upstream little.
import { upstreamGetJson, type UpstreamTarget } from '../forward/upstreamTarget';

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  queue: { pending: number; running: number };
  device: { name: string; type: string } | null;
  vram: { total: number; free: number } | null;
  upstream: { url: string; reachable: boolean; latency_ms: number | null; error?: string };
  proxy: { version: string; uptime_s: number };
}

interface Device {
  name?: unknown;
  type?: unknown;
  vram_total?: unknown;
  vram_free?: unknown;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export class HealthCheck {
  private cached: { at: number; report: Omit<HealthReport, 'proxy'> } | null = null;
  private inflight: Promise<Omit<HealthReport, 'proxy'>> | null = null;

  constructor(
    private readonly target: UpstreamTarget,
    private readonly options: {
      version: string;
      startedAt: number;
      upstreamKey: () => string | null;
      now?: () => number;
      cacheMs?: number;
      timeoutMs?: number;
    },
  ) {}

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  async report(): Promise<HealthReport> {
    const now = this.now();
    const cacheMs = this.options.cacheMs ?? 1000;
    let base: Omit<HealthReport, 'proxy'>;
    if (this.cached && now - this.cached.at < cacheMs) base = this.cached.report;
    else {
      this.inflight ??= this.sample().finally(() => {
        this.inflight = null;
      });
      base = await this.inflight;
      this.cached = { at: this.now(), report: base };
    }
    return { ...base, proxy: { version: this.options.version, uptime_s: Math.round((now - this.options.startedAt) / 1000) } };
  }

  private async sample(): Promise<Omit<HealthReport, 'proxy'>> {
    const key = this.options.upstreamKey();
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    const timeout = this.options.timeoutMs ?? 2000;
    const started = performance.now();
    const [stats, queue] = await Promise.allSettled([
      upstreamGetJson(this.target, '/system_stats', headers, timeout),
      upstreamGetJson(this.target, '/queue', headers, timeout),
    ]);
    const latency = Math.round(performance.now() - started);
    const upstreamUrl = this.target.origin;
    if (stats.status === 'rejected' && queue.status === 'rejected') {
      const reason = stats.reason instanceof Error ? stats.reason.message : 'unreachable';
      return {
        status: 'down',
        queue: { pending: 0, running: 0 },
        device: null,
        vram: null,
        upstream: { url: upstreamUrl, reachable: false, latency_ms: null, error: reason },
      };
    }
    let device: HealthReport['device'] = null;
    let vram: HealthReport['vram'] = null;
    let healthy = true;
    if (stats.status === 'fulfilled' && stats.value.status === 200) {
      const devices = (stats.value.body as { devices?: Device[] } | null)?.devices;
      const first = Array.isArray(devices) ? devices[0] : undefined;
      if (first) {
        device = { name: String(first.name ?? 'unknown'), type: String(first.type ?? 'unknown') };
        vram = { total: num(first.vram_total), free: num(first.vram_free) };
      }
    } else healthy = false;
    const q = { pending: 0, running: 0 };
    if (queue.status === 'fulfilled' && queue.value.status === 200) {
      const body = queue.value.body as { queue_pending?: unknown[]; queue_running?: unknown[] } | null;
      q.pending = Array.isArray(body?.queue_pending) ? body.queue_pending.length : 0;
      q.running = Array.isArray(body?.queue_running) ? body.queue_running.length : 0;
    } else healthy = false;
    const report: Omit<HealthReport, 'proxy'> = {
      status: healthy ? 'ok' : 'degraded',
      queue: q,
      device,
      vram,
      upstream: { url: upstreamUrl, reachable: true, latency_ms: latency },
    };
    if (!healthy) {
      const code = stats.status === 'fulfilled' ? stats.value.status : 0;
      report.upstream.error =
        code === 401 || code === 403 ? 'ComfyUI refused the upstream key' : `ComfyUI answered HTTP ${code || 'error'}`;
    }
    return report;
  }
}
