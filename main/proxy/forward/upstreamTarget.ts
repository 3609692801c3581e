// The upstream ComfyUI as the proxy sees it: parsed once, with its keep-alive connection pools: undici's
// Pool for streamed requests (httpForwarder.ts), an http.Agent for the buffered JSON exchanges, a small
// one of its own for /health and probes.
import http from 'node:http';
import https from 'node:https';
import { Pool } from 'undici';

export interface UpstreamTarget {
  url: URL;
  /** e.g. http://192.168.1.20:8188 — what Origin is rewritten to. */
  origin: string;
  /** What Host is rewritten to. */
  hostHeader: string;
  hostname: string;
  port: number;
  secure: boolean;
  agent: http.Agent;
  /** A small pool of its own for /health and probes, so traffic that fills `agent` never delays them. */
  probeAgent: http.Agent;
  request: typeof http.request;
  /** The streaming forwarder's pool, for a connect timeout (one pool per value; in practice one). */
  pool(connectMs: number): Pool;
  close(): void;
}

/** Upstream connections of the streaming pool: the fair queue's total (inFlightGate.ts), so requests wait there, fairly. */
export const POOL_CONNECTIONS = 256;

export function createUpstreamTarget(upstream: string): UpstreamTarget {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    throw new Error(`invalid upstream URL "${upstream}": expected e.g. http://127.0.0.1:8188`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`invalid upstream URL "${upstream}": only http and https are supported`);
  }
  if (url.username || url.password) {
    throw new Error('the upstream URL must not contain credentials; use --upstream-key-file for the upstream key');
  }
  const secure = url.protocol === 'https:';
  // maxSockets 256 = the fair queue's total (inFlightGate.ts): requests wait there, fairly, never inside the agent.
  const options = { keepAlive: true, keepAliveMsecs: 15_000, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agent = secure ? new https.Agent(options) : new http.Agent(options);
  const probeOptions = { keepAlive: true, keepAliveMsecs: 15_000, maxSockets: 4, maxFreeSockets: 2 };
  const probeAgent = secure ? new https.Agent(probeOptions) : new http.Agent(probeOptions);
  const pools = new Map<number, Pool>();
  const pool = (connectMs: number): Pool => {
    let p = pools.get(connectMs);
    if (!p) {
      // No pipelining: one request per connection at a time, like the browser and ComfyUI's aiohttp expect.
      // Timeouts are set per request by the forwarder; the pool's own stay off.
      p = new Pool(url.origin, { connections: POOL_CONNECTIONS, pipelining: 1, connect: { timeout: connectMs }, headersTimeout: 0, bodyTimeout: 0 });
      pools.set(connectMs, p);
    }
    return p;
  };
  return {
    url,
    origin: url.origin,
    hostHeader: url.host,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (secure ? 443 : 80)),
    secure,
    agent,
    probeAgent,
    request: secure ? https.request : http.request,
    pool,
    close: () => {
      agent.destroy();
      probeAgent.destroy();
      for (const p of pools.values()) void p.destroy().catch(() => {});
      pools.clear();
    },
  };
}

/** Performs a small GET against the upstream and parses JSON; used by /health and probes. */
export function upstreamGetJson(
  target: UpstreamTarget,
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = target.request(
      {
        hostname: target.hostname,
        port: target.port,
        path,
        method: 'GET',
        headers: { host: target.hostHeader, accept: 'application/json', ...headers },
        agent: target.probeAgent,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 4 * 1024 * 1024) req.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          let body: unknown = null;
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            body = null;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** One ComfyUI the proxy forwards to; `id` is what the ledger records as a job's upstream. */
export interface Upstream {
  id: string;
  target: UpstreamTarget;
}
