// Helpers for the sharing tests (issue 10): a proxy stack with several access keys in front of the fake
// ComfyUI, WebSocket clients that record what reaches them, a TCP port forward, and small job helpers.
import net from 'node:net';
import type { OutgoingHttpHeaders } from 'node:http';
import WebSocket from 'ws';
import { request, type HttpResult } from '../helpers/http';
import { ADMIN_KEY, startHarness, type Harness } from '../helpers/proxyHarness';

export { ADMIN_KEY };
export const ADMIN = { authorization: `Bearer ${ADMIN_KEY}` };
export type Err = { error: { type: string; message: string } };

export interface KeySpec {
  name: string;
  scopes?: string[];
  rate_limit?: number;
  requests_per_minute?: number;
  max_queued?: number;
  comfy_user?: string | null;
  expires_at?: number;
  cloud?: boolean;
  cloud_jobs_per_day?: number | null;
  share?: number;
}

export interface TestKey {
  id: string;
  secret: string;
  name: string;
  /** Headers that authenticate as this key. */
  auth: { authorization: string };
}

export async function createKey(h: Harness, spec: KeySpec): Promise<TestKey> {
  const res = await request(`${h.url}/api/keys`, {
    method: 'POST',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (res.status !== 200) throw new Error(`creating key ${spec.name}: ${res.status} ${res.text}`);
  const body = res.json<{ key_id: string; api_key: string }>();
  return { id: body.key_id, secret: body.api_key, name: spec.name, auth: { authorization: `Bearer ${body.api_key}` } };
}

/** A harness plus the named keys, created through the admin API. */
export async function startSharing<N extends string>(
  specs: Record<N, Omit<KeySpec, 'name'>>,
  options: Parameters<typeof startHarness>[0] = {},
): Promise<{ h: Harness; keys: Record<N, TestKey> }> {
  const h = await startHarness(options);
  const keys = {} as Record<N, TestKey>;
  for (const name of Object.keys(specs) as N[]) keys[name] = await createKey(h, { name, ...specs[name] });
  return { h, keys };
}

export function get(h: Harness, path: string, headers: OutgoingHttpHeaders = {}): Promise<HttpResult> {
  return request(`${h.url}${path}`, { headers });
}

export function postJson(h: Harness, path: string, headers: OutgoingHttpHeaders, body: unknown): Promise<HttpResult> {
  return request(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

let seeds = 0;
/** A small valid workflow (KSampler + SaveImage), like the ones scripts send; a fresh seed each time, so ComfyUI (and the fake) never answers it from cache. */
export function workflow(seed = ++seeds): Record<string, unknown> {
  return {
    '3': { class_type: 'KSampler', inputs: { seed, steps: 2 } },
    '9': { class_type: 'SaveImage', inputs: { images: ['3', 0], filename_prefix: 'ComfyUI' } },
  };
}

/** POST /prompt as a key; returns the response and the prompt_id ComfyUI gave it (when accepted). */
export async function submit(h: Harness, headers: OutgoingHttpHeaders, extra: Record<string, unknown> = {}): Promise<{ res: HttpResult; id: string }> {
  const res = await postJson(h, '/prompt', headers, { prompt: workflow(), ...extra });
  const id = res.status === 200 ? res.json<{ prompt_id: string }>().prompt_id : '';
  return { res, id };
}

/** What the fake ComfyUI was asked to queue for this prompt (the body the proxy forwarded). */
export function forwardedPrompt(h: Harness, promptId: string): Record<string, unknown> {
  const rec = h.fake.received.find((r) => r.method === 'POST' && /\/prompt$/.test(r.url) && r.bodyText?.includes(promptId));
  if (!rec?.bodyText) throw new Error(`the fake never received prompt ${promptId}`);
  return JSON.parse(rec.bodyText) as Record<string, unknown>;
}

/** Requests the fake received whose path matches. */
export function reached(h: Harness, pattern: RegExp): number {
  return h.fake.received.filter((r) => pattern.test(r.url.split('?')[0] ?? '')).length;
}

export interface WsMessage {
  type: string;
  data: Record<string, unknown>;
}

/** A client socket through the proxy that records every frame it receives. */
export class TestSocket {
  readonly texts: WsMessage[] = [];
  readonly binaries: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { test: () => boolean; resolve: () => void }[] = [];

  constructor(
    readonly ws: WebSocket,
    readonly clientId: string,
  ) {
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) this.binaries.push(buf);
      else this.texts.push(JSON.parse(buf.toString('utf8')) as WsMessage);
      this.waiters = this.waiters.filter((w) => (w.test() ? (w.resolve(), false) : true));
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Resolves once a received text message matches (already or later). */
  waitFor(test: (m: WsMessage) => boolean): Promise<WsMessage> {
    const find = () => this.texts.find(test);
    const hit = find();
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) => this.waiters.push({ test: () => find() !== undefined, resolve: () => resolve(find() as WsMessage) }));
  }

  /** Messages about one job. */
  about(promptId: string): WsMessage[] {
    return this.texts.filter((m) => m.data.prompt_id === promptId);
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }
}

export interface WsOptions {
  clientId?: string;
  headers?: Record<string, string>;
  /** Connect to this port instead of the proxy's (a port forward). */
  port?: number;
}

/** Opens /ws through the proxy; resolves once the first message (ComfyUI's `status` with `sid`) arrived. */
export function openWs(h: Harness, opts: WsOptions = {}): Promise<TestSocket> {
  const query = opts.clientId === undefined ? '' : `?clientId=${encodeURIComponent(opts.clientId)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${opts.port ?? h.port}/ws${query}`, { headers: opts.headers ?? {}, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode ?? 0}`)));
    ws.once('error', reject);
    ws.once('message', (data: WebSocket.RawData) => {
      const first = JSON.parse(String(data)) as WsMessage;
      const socket = new TestSocket(ws, String(first.data.sid ?? ''));
      socket.texts.push(first);
      resolve(socket);
    });
  });
}

/** Tries an upgrade that should be refused; resolves with the HTTP status and JSON body. */
export function wsRefusal(h: Harness, opts: WsOptions = {}): Promise<{ status: number; body: Err | null }> {
  const query = opts.clientId === undefined ? '' : `?clientId=${encodeURIComponent(opts.clientId)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${opts.port ?? h.port}/ws${query}`, { headers: opts.headers ?? {}, perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the WebSocket was accepted'));
    });
    ws.once('error', () => {
      /* the refusal below carries the answer */
    });
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Err | null = null;
        try {
          body = JSON.parse(text) as Err;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
  });
}

let barrierCount = 0;
/**
 * Sends a `status` broadcast from the fake and waits until every socket got it: frames from one upstream
 * socket arrive in order, so anything the fake sent before has been delivered (or filtered) by then.
 */
export async function barrier(h: Harness, sockets: readonly TestSocket[]): Promise<void> {
  const marker = `barrier-${++barrierCount}`;
  await h.fake.sendJson({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, marker } });
  await Promise.all(sockets.map((s) => s.waitFor((m) => m.type === 'status' && m.data.marker === marker)));
}

const runs = new Map<string, Promise<void>>();

/**
 * Runs a queued job on the fake's worker for a long while (ComfyUI announces it with execution_start to its
 * client_id) and waits until the owner's socket saw it start, so the proxy's ledger knows it runs.
 */
export async function startRunning(h: Harness, promptId: string, owner: TestSocket): Promise<void> {
  runs.set(promptId, h.fake.runFakeJob(promptId, undefined, 2, { ms: 120_000 }));
  await owner.waitFor((m) => m.type === 'execution_start' && m.data.prompt_id === promptId);
}

/** Ends a job made running by startRunning (interrupted, unless something already ended it) and waits for its owner to see the end. */
export async function finishRunning(h: Harness, promptId: string, owner: TestSocket): Promise<void> {
  h.fake.interrupt(promptId);
  await runs.get(promptId);
  await owner.waitFor((m) => ['execution_success', 'execution_interrupted', 'execution_error'].includes(m.type) && m.data.prompt_id === promptId);
}

/** Runs a queued job to the end on the fake (messages to its client_id) and waits for its owner to see it finish. */
export async function runToEnd(h: Harness, promptId: string, owner: TestSocket | null, opts: { previews?: boolean } = {}): Promise<void> {
  await h.fake.runFakeJob(promptId, undefined, 2, opts);
  if (owner) await owner.waitFor((m) => m.type === 'execution_success' && m.data.prompt_id === promptId);
}

/** A TCP port forward on another local port (what `ssh -L 9000:127.0.0.1:8189` gives a user). */
export async function portForward(targetPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
