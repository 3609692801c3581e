// The soak's load (bench/soak.ts): what ten people sharing one ComfyUI do, each with their own key. Per key: a
// web UI that reads (object_info, queue, history, stats, static files, its outputs) over keep-alive connections,
// one long-lived WebSocket with previews plus sockets reopened every few seconds, jobs (from the web UI on its
// socket's client_id; from a script without one, read back from /history or never), image uploads, and browser
// logins and logouts. Besides them, 20 slow clients trickle a request head one byte a second, for ever.
import http from 'node:http';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { makePng } from '../test/fixtures/fakeComfyPng';
import { request, type HttpResult } from '../test/helpers/http';

export interface SoakKey {
  id: string;
  name: string;
  secret: string;
}

export type Kind = 'read' | 'static' | 'view' | 'job' | 'upload' | 'login';

export class LoadStats {
  readonly latencies: Record<Kind, number[]> = { read: [], static: [], view: [], job: [], upload: [], login: [] };
  readonly statuses = new Map<string, number>();
  /** 5xx answers; `own`: in the proxy's error shape (ComfyUI's own errors are not JSON `{"error":{"type"…}}`). */
  readonly fiveXX = { total: 0, own: 0, examples: [] as string[] };
  readonly ws = { longOpened: 0, longDropped: 0, churnOpened: 0, churnFailed: 0, messages: 0, previews: 0 };
  readonly slowHeads = { closed: 0, answered408: 0 };
  readonly jobs = { socket: 0, scriptReadBack: 0, scriptForgotten: 0, readBack: 0, outputsViewed: 0 };
  readonly counts = { uploads: 0, logins: 0, logouts: 0 };
  /** Failures other than an HTTP answer (a reset, a refused connection): none expected while the proxy runs. */
  readonly errors: string[] = [];
  requests = 0;

  record(kind: Kind, res: HttpResult, ms: number): void {
    this.requests++;
    this.latencies[kind].push(ms);
    const key = `${kind} ${res.status}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    if (res.status >= 500) {
      this.fiveXX.total++;
      if (/^\{"error":\{"type":/.test(res.text)) this.fiveXX.own++;
      if (this.fiveXX.examples.length < 5) this.fiveXX.examples.push(`${key}: ${res.text.slice(0, 160)}`);
    }
  }
}

const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);
const READS = ['/object_info', '/system_stats', '/queue', '/history?max_items=64', '/extensions', '/embeddings', '/features', '/api/jobs?limit=20'];

export interface RunningLoad {
  stop(): Promise<void>;
}

export function startLoad(url: string, keys: readonly SoakKey[], stats: LoadStats, slowClients = 20): RunningLoad {
  let running = true;
  // stop() ends every wait at once, so the load stops when asked, not after its longest pause.
  const stopping = new AbortController();
  const sleep = (ms: number) => delay(ms, undefined, { signal: stopping.signal }).catch(() => {});
  /** What stop() closes: open sockets and agents (each removes itself once closed). */
  const closers = new Set<() => void>();
  const { hostname, port } = new URL(url);

  const timed = async (kind: Kind, path: string, options: Parameters<typeof request>[1] = {}): Promise<HttpResult | null> => {
    const started = performance.now();
    try {
      const res = await request(`${url}${path}`, options);
      stats.record(kind, res, performance.now() - started);
      return res;
    } catch (err) {
      if (running && stats.errors.length < 50) stats.errors.push(`${kind} ${path}: ${(err as Error).message}`);
      return null;
    }
  };
  const every = (lo: number, hi: number, step: () => Promise<void>) =>
    (async () => {
      await sleep(between(0, hi));
      while (running) {
        await step();
        await sleep(between(lo, hi));
      }
    })();

  const perKey = (key: SoakKey, n: number): Promise<unknown>[] => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 }); // a browser's connections to one origin
    closers.add(() => agent.destroy());
    const auth = { authorization: `Bearer ${key.secret}` };
    const uiClient = `ui-${n}-${Math.random().toString(36).slice(2, 8)}`;
    const outputs: string[] = [];

    const socket = (clientId: string, onClose: (expected: boolean) => void): WebSocket => {
      const ws = new WebSocket(`ws://${hostname}:${port}/ws?clientId=${clientId}`, { headers: auth });
      let closing = false;
      ws.on('message', (data, binary) => {
        stats.ws.messages++;
        if (binary) stats.ws.previews++;
      });
      const close = () => {
        closing = true;
        ws.close();
      };
      closers.add(close);
      ws.on('error', () => {});
      ws.on('close', () => {
        closers.delete(close);
        onClose(closing || !running);
      });
      return ws;
    };
    const long = async () => {
      while (running) {
        stats.ws.longOpened++;
        await new Promise<void>((done) => socket(uiClient, (expected) => {
          if (!expected) stats.ws.longDropped++;
          done();
        }));
        if (running) await sleep(1_000);
      }
    };
    const churn = every(2_000, 6_000, async () => {
      const ws = socket(`tab-${n}-${Math.random().toString(36).slice(2, 10)}`, () => {});
      const opened = await new Promise<boolean>((r) => {
        ws.once('open', () => r(true));
        ws.once('close', () => r(false));
      });
      if (opened) stats.ws.churnOpened++;
      else stats.ws.churnFailed++;
      await sleep(between(1_000, 4_000));
      ws.close();
    });
    const reads = every(150, 900, async () => {
      const r = Math.random();
      if (r < 0.15) await timed('static', '/fake-app.js', { agent });
      else if (r < 0.25 && outputs.length > 0) await timed('view', `/view?filename=${encodeURIComponent(outputs[Math.floor(Math.random() * outputs.length)] ?? '')}&type=output`, { headers: auth, agent });
      else await timed('read', READS[Math.floor(Math.random() * READS.length)] ?? '/queue', { headers: auth, agent });
    });
    const jobs = every(6_000, 14_000, async () => {
      const r = Math.random();
      const clientId = r < 0.5 ? uiClient : undefined;
      const prompt = { '3': { class_type: 'KSampler', inputs: { seed: Math.floor(Math.random() * 1e9), steps: 4 } }, '9': { class_type: 'SaveImage', inputs: { images: ['3', 0] } } };
      const res = await timed('job', '/prompt', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ prompt, client_id: clientId }), agent });
      if (res?.status !== 200) return;
      const id = res.json<{ prompt_id: string }>().prompt_id;
      if (clientId) return void stats.jobs.socket++;
      if (r > 0.8) return void stats.jobs.scriptForgotten++;
      stats.jobs.scriptReadBack++;
      for (let i = 0; i < 60 && running; i++) {
        await sleep(1_000);
        const h = await timed('read', `/history/${id}`, { headers: auth, agent });
        const entry = h?.status === 200 ? (h.json<Record<string, { outputs?: Record<string, { images?: { filename: string }[] }> }>>()[id] ?? null) : null;
        if (!entry) continue;
        stats.jobs.readBack++;
        const file = Object.values(entry.outputs ?? {}).flatMap((o) => o.images ?? [])[0]?.filename;
        if (file && (await timed('view', `/view?filename=${encodeURIComponent(file)}&type=output`, { headers: auth, agent }))?.status === 200) {
          stats.jobs.outputsViewed++;
          outputs.push(file);
          if (outputs.length > 20) outputs.shift();
        }
        return;
      }
    });
    const uploads = every(15_000, 30_000, async () => {
      const boundary = `----soak${Math.random().toString(36).slice(2)}`;
      const png = makePng(64 + Math.floor(Math.random() * 192), 64);
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="soak-${n}-${Date.now()}.png"\r\nContent-Type: image/png\r\n\r\n`),
        png,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await timed('upload', '/upload/image', { method: 'POST', headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, body, agent });
      if (res?.status === 200) stats.counts.uploads++;
    });
    const logins = every(10_000, 20_000, async () => {
      const res = await timed('login', '/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', origin: url },
        body: JSON.stringify({ api_key: key.secret, remember: Math.random() < 0.5 }),
      });
      const cookie = /cac_session=([^;]+)/.exec(String(res?.headers['set-cookie'] ?? ''))?.[1];
      if (!cookie) return;
      stats.counts.logins++;
      await timed('read', '/', { headers: { cookie: `cac_session=${cookie}`, accept: 'text/html' } });
      await sleep(between(500, 3_000));
      const out = await timed('login', '/auth/logout', { method: 'POST', headers: { cookie: `cac_session=${cookie}`, origin: url } });
      if (out?.status === 200) stats.counts.logouts++;
    });
    return [long(), churn, reads, jobs, uploads, logins];
  };

  const slowHead = async (i: number) => {
    const head = `GET /system_stats HTTP/1.1\r\nHost: ${hostname}:${port}\r\n${'X-Slow: trickle\r\n'.repeat(200)}`;
    while (running) {
      await new Promise<void>((done) => {
        const s = net.connect(Number(port), hostname);
        let sent = 0;
        let answer = '';
        const timer = setInterval(() => s.writable && s.write(head[sent++ % head.length] ?? 'x'), 1_000);
        s.on('data', (d: Buffer) => (answer += d.toString('latin1')));
        s.on('error', () => {});
        const close = () => s.destroy();
        closers.add(close);
        s.on('close', () => {
          closers.delete(close);
          clearInterval(timer);
          if (running) {
            stats.slowHeads.closed++;
            if (answer.startsWith('HTTP/1.1 408')) stats.slowHeads.answered408++;
          }
          done();
        });
      });
      await sleep(200 + i * 10);
    }
  };

  const all = Promise.all([...keys.flatMap((k, n) => perKey(k, n)), ...Array.from({ length: slowClients }, (_, i) => slowHead(i))]);
  return {
    async stop() {
      running = false;
      stopping.abort();
      for (const close of closers) close();
      await all;
    },
  };
}
