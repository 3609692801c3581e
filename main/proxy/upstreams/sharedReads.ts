// `/object_info` and `/system_stats` with several upstreams (SPEC §10): every web UI page load asks for
// both, so the proxy answers them itself, from a short cache. /object_info comes from one healthy upstream
// that matches the others (they share one node set); /system_stats from the first one, with the devices
// of every live upstream listed, so the UI's device panel shows the whole pool.
import type { SharingRequest, Upstream } from '../sharing/context';
import { answerRaw } from '../sharing/context';
import { exchange, jsonOf } from '../forward/upstreamExchange';
import { gauge } from '../../common/sizeGauges';

/** At most this many answers are kept (one per kind and comfy-user folder in practice). */
const MAX_ENTRIES = 64;

interface Cached {
  at: number;
  status: number;
  type: string | undefined;
  body: Buffer;
}

export interface SharedReadsOptions {
  /** Live upstreams, the one /object_info should come from first. */
  live(): Upstream[];
  now(): number;
  responseTimeoutMs: number;
  objectInfoTtlMs?: number;
  systemStatsTtlMs?: number;
}

export class SharedReads {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<Cached | null>>();

  constructor(private readonly o: SharedReadsOptions) {
    gauge('sharedReads.cache', this, (r) => r.cache.size);
  }

  /** An upload changes LoadImage's file list; an upstream joining or leaving changes the device list. */
  invalidate(): void {
    this.cache.clear();
  }

  /**
   * True when answered; false when fewer than two upstreams are live (the request is forwarded as before).
   * `rewrite` makes a 200 answer the caller's own (a key's file lists, SPEC §8.3); the cache keeps ComfyUI's.
   */
  async answer(kind: 'object_info' | 'system_stats', r: SharingRequest, path: string, rewrite?: (body: Buffer) => Buffer): Promise<boolean> {
    const live = this.o.live();
    if (live.length < 2) return false;
    const ttl = kind === 'object_info' ? (this.o.objectInfoTtlMs ?? 5_000) : (this.o.systemStatsTtlMs ?? 1_000);
    // Keyed without the query (ComfyUI ignores it), so `?x=1…N` cannot grow the cache without bound.
    const pathname = path.split('?', 1)[0] ?? path;
    const key = `${kind}\0${pathname}\0${r.principal.comfyUser ?? ''}`;
    const hit = this.cache.get(key);
    let got: Cached | null = hit && this.o.now() - hit.at < ttl ? hit : null;
    if (!got) {
      let pending = this.inflight.get(key);
      if (!pending) {
        pending = (kind === 'object_info' ? this.objectInfo(r, live, path) : this.systemStats(r, live, path)).finally(() => this.inflight.delete(key));
        this.inflight.set(key, pending);
      }
      got = await pending;
      if (!got) return false;
      if (got.status === 200) this.remember(key, got);
    }
    const body = rewrite && got.status === 200 ? rewrite(got.body) : got.body;
    answerRaw(r.res, got.status, got.type, body, { ...r.responseHeaders, 'cache-control': 'no-store' });
    return true;
  }

  private remember(key: string, got: Cached): void {
    this.cache.delete(key);
    // A Map iterates in insertion order: the first key is the oldest answer.
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, got);
  }

  private async get(r: SharingRequest, u: Upstream, path: string) {
    return exchange(u.target, { method: 'GET', path, headers: r.upstreamHeaders(u.target), capBytes: 64 * 1024 * 1024, responseTimeoutMs: this.o.responseTimeoutMs });
  }

  /** From the first live upstream that answers. */
  private async objectInfo(r: SharingRequest, live: Upstream[], path: string): Promise<Cached | null> {
    let lastError: unknown = null;
    for (const u of live) {
      try {
        const a = await this.get(r, u, path);
        return { at: this.o.now(), status: a.status, type: a.headers['content-type'], body: a.body };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  }

  private async systemStats(r: SharingRequest, live: Upstream[], path: string): Promise<Cached | null> {
    const settled = await Promise.allSettled(live.map((u) => this.get(r, u, path)));
    let base: Record<string, unknown> | null = null;
    const devices: unknown[] = [];
    let firstFailure: Cached | null = null;
    for (const s of settled) {
      if (s.status === 'rejected') continue;
      const json = jsonOf(s.value.body);
      if (s.value.status !== 200 || typeof json !== 'object' || json === null) {
        firstFailure ??= { at: this.o.now(), status: s.value.status, type: s.value.headers['content-type'], body: s.value.body };
        continue;
      }
      base ??= json as Record<string, unknown>;
      const list = (json as { devices?: unknown }).devices;
      if (Array.isArray(list)) devices.push(...list);
    }
    if (!base) {
      if (firstFailure) return firstFailure;
      const rejected = settled.find((s) => s.status === 'rejected');
      throw rejected?.status === 'rejected' ? rejected.reason : new Error('no upstream answered');
    }
    const body = Buffer.from(JSON.stringify({ ...base, devices }), 'utf8');
    return { at: this.o.now(), status: 200, type: 'application/json; charset=utf-8', body };
  }
}
