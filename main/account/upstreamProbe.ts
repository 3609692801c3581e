// Checks a ComfyUI upstream the way a login must: an authenticated endpoint (GET /system_stats with
// the upstream key), so "reachable" and "key accepted" are facts rather than guesses from /health.

export interface UpstreamProbe {
  reachable: boolean;
  /** null when it could not be told (unreachable, or an answer that is neither success nor 401/403). */
  keyAccepted: boolean | null;
  comfyuiVersion?: string;
  device?: string;
  latencyMs?: number;
  /** One sentence for the UI; never contains the key. */
  message: string;
}

export type ProbeUpstream = (url: string, key: string | null) => Promise<UpstreamProbe>;

export interface UpstreamProberOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function createUpstreamProber(options: UpstreamProberOptions = {}): ProbeUpstream {
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? (() => performance.now());

  return async (url, key) => {
    const target = `${url.replace(/\/+$/, '')}/system_stats`;
    const started = now();
    let res: Response;
    let text: string;
    try {
      res = await doFetch(target, {
        headers: { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      text = await res.text();
    } catch (err) {
      const name = (err as Error).name;
      const code = (err as { cause?: { code?: string } }).cause?.code;
      const why = name === 'TimeoutError' ? `no answer within ${Math.round(timeoutMs / 1000)} s` : code ?? 'connection failed';
      return { reachable: false, keyAccepted: null, message: `Cannot reach ComfyUI at ${url} (${why}). Check that it is running and the address is right.` };
    }
    const latencyMs = Math.round(now() - started);

    if (res.status === 401 || res.status === 403) {
      return {
        reachable: true,
        keyAccepted: false,
        latencyMs,
        message: key ? `ComfyUI at ${url} refused the ComfyUI key (HTTP ${res.status}). Check the key.` : `ComfyUI at ${url} asks for a key (HTTP ${res.status}). Enter it as the ComfyUI key.`,
      };
    }
    if (!res.ok) {
      return { reachable: true, keyAccepted: null, latencyMs, message: `${url} answered HTTP ${res.status} where ComfyUI shows its system stats. Is this a ComfyUI server?` };
    }
    let stats: Record<string, unknown> | undefined;
    try {
      stats = record(JSON.parse(text));
    } catch {
      stats = undefined;
    }
    const system = record(stats?.system);
    const devices = Array.isArray(stats?.devices) ? stats.devices : undefined;
    if (!system || !devices) {
      return { reachable: true, keyAccepted: null, latencyMs, message: `${url} answered, but not like ComfyUI (no system stats). Is this a ComfyUI server?` };
    }
    const comfyuiVersion = typeof system.comfyui_version === 'string' ? system.comfyui_version : undefined;
    const deviceName = record(devices[0])?.name;
    const device = typeof deviceName === 'string' ? deviceName : undefined;
    const what = `ComfyUI${comfyuiVersion ? ` ${comfyuiVersion}` : ''}${device ? ` on ${device}` : ''}`;
    return {
      reachable: true,
      keyAccepted: true,
      comfyuiVersion,
      device,
      latencyMs,
      message: `Connected to ${what} in ${latencyMs} ms${key ? '; the ComfyUI key was accepted' : ''}.`,
    };
  };
}
