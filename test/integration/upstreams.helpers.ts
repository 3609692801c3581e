// Helpers for the several-upstreams tests (SPEC §10): N fake ComfyUIs, each on its own port, with the
// proxy stack in front of all of them; a WebSocket client that keeps every message it gets; job helpers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startProxyStack, type ProxyStack, type ProxyStackConfig } from '../../main/compose/proxyStack';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { request, type HttpResult } from '../helpers/http';
import { ADMIN_KEY, testStackConfig } from '../helpers/proxyHarness';

export { ADMIN_KEY };

export interface Multi {
  fakes: FakeComfy[];
  stack: ProxyStack;
  url: string;
  port: number;
  auth: { authorization: string };
  /** Lines the proxy logged about its upstreams (down, back, mismatch). */
  events: string[];
  close(): Promise<void>;
}

export async function startMulti(n: number, overrides: Partial<ProxyStackConfig> = {}, fakes?: FakeComfy[]): Promise<Multi> {
  const started = fakes ?? (await Promise.all(Array.from({ length: n }, () => startFakeComfy())));
  const dataDir = await mkdtemp(join(tmpdir(), 'cac-multi-'));
  const events: string[] = [];
  const stack = await startProxyStack(
    testStackConfig(
      started.map((f) => f.url),
      dataDir,
      { onUpstreamEvent: (m) => events.push(m), ...overrides },
    ),
  );
  return {
    fakes: started,
    stack,
    url: stack.proxy.url,
    port: stack.proxy.port,
    auth: { authorization: `Bearer ${ADMIN_KEY}` },
    events,
    async close() {
      await stack.close(500);
      await Promise.all(started.map((f) => f.close()));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface JsonMsg {
  type: string;
  data: Record<string, unknown>;
}

/** A client socket that records every text message from the start, and waits for the ones a test needs. */
export class WsClient {
  readonly messages: JsonMsg[] = [];
  binaryFrames = 0;
  closed: { code: number } | null = null;
  private waiters: { match: (m: JsonMsg) => boolean; resolve: (m: JsonMsg) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.binaryFrames += 1;
        return;
      }
      const msg = JSON.parse(data.toString('utf8')) as JsonMsg;
      this.messages.push(msg);
      for (const w of this.waiters.filter((x) => x.match(msg))) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(msg);
      }
    });
    ws.on('close', (code) => {
      this.closed = { code };
    });
  }

  static open(m: Multi, clientId: string, key = ADMIN_KEY): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${m.port}/ws?clientId=${clientId}`, { headers: { authorization: `Bearer ${key}` } });
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** The first message, received already or later, that matches. */
  waitFor(match: (m: JsonMsg) => boolean): Promise<JsonMsg> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  about(promptId: string, type?: string): JsonMsg[] {
    return this.messages.filter((m) => m.data?.prompt_id === promptId && (type === undefined || m.type === type));
  }

  close(): void {
    this.ws.close();
  }
}

let seed = 0;

/**
 * A small API-format prompt: a KSampler (a fresh seed each time, so ComfyUI's cache never skips it) saved by
 * SaveImage, optionally fed by LoadImage of an uploaded file.
 */
export function promptBody(clientId: string, image?: string): Record<string, unknown> {
  seed += 1;
  const prompt: Record<string, unknown> = {
    '3': { class_type: 'KSampler', inputs: { seed: seed * 7919 + Date.now(), steps: 2, ...(image ? { latent_image: ['10', 0] } : {}) } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['3', 0] } },
  };
  if (image) prompt['10'] = { class_type: 'LoadImage', inputs: { image } };
  return { prompt, client_id: clientId };
}

export async function submit(m: Multi, body: Record<string, unknown>, key = ADMIN_KEY): Promise<HttpResult & { promptId: string }> {
  const res = await request(`${m.url}/prompt`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const promptId = res.status === 200 ? res.json<{ prompt_id: string }>().prompt_id : '';
  return Object.assign(res, { promptId });
}

/** The fake that holds this prompt in its queue (pending or running) or its history. */
export function fakeHolding(m: Multi, promptId: string): FakeComfy | undefined {
  return m.fakes.find(
    (f) => f.state.pending.some((i) => i[1] === promptId) || f.state.running.some((i) => i[1] === promptId) || f.state.history.has(promptId),
  );
}

export async function createKey(m: Multi, name: string): Promise<string> {
  const res = await request(`${m.url}/api/keys`, { method: 'POST', headers: { ...m.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  if (res.status !== 200) throw new Error(`key creation failed: ${res.text}`);
  return res.json<{ api_key: string }>().api_key;
}

export async function health(m: Multi): Promise<{ status: number; body: HealthBody }> {
  const res = await request(`${m.url}/health`);
  return { status: res.status, body: res.json<HealthBody>() };
}

export interface HealthBody {
  status: string;
  queue: { pending: number; running: number };
  upstream: { url: string; reachable: boolean };
  upstreams: { url: string; state: string; reachable: boolean; latency_ms: number | null; queue: { pending: number; running: number }; device: { name: string } | null; object_info: { hash: string | null; matches: boolean | null; difference?: { lacks: string[]; extra: string[]; inputs: string[]; nodes: string[] } } }[];
  consistency?: { consistent: boolean; problems: string[] };
}
