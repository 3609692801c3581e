// Helpers for the scripted accountability day: a controllable clock, a companion (the app's own
// composition root) in front of the fake ComfyUI and fake Comfy Cloud, IPC calls, proxy calls, the CLI
// in-process on the same data dir, and jobs whose start and finish reach a ledger through the proxy's /ws.
import Conf from 'conf';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { invokeHandler } from '../../main/app/companionApi';
import { createCompanion, type Companion } from '../../main/companion';
import { runKeysCommand } from '../../main/keys/keysCli';
import { createSettingsStore, type BackingStoreClass } from '../../main/settings/settingsStore';
import type { Channel, Req, Res } from '../../preload/contract';
import { startFakeCloud, type FakeCloud } from '../fixtures/fakeCloud';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { basicTextSafeStorage } from '../fixtures/fakeSafeStorage';
import { MemoryLedger } from './memoryLedger';

export interface Day {
  dataDir: string;
  comfy: FakeComfy;
  cloud: FakeCloud;
  app: Companion;
  ledger: MemoryLedger;
  clock: { now: number };
  /** Moves the clock on (every step gets its own time). */
  tick(ms?: number): void;
  ipc<C extends Channel>(channel: C, req?: Req<C>): Promise<Res<C>>;
  http(path: string, init?: { method?: string; secret?: string; cookie?: string; body?: unknown }): Promise<Response>;
  cli(...args: string[]): Promise<{ code: number; out: string; err: string }>;
  /** Queues a job with `secret` and runs it for `lengthMs` of clock time, ending as `end`. */
  job(secret: string, keyId: string, lengthMs: number, end: 'execution_success' | 'execution_error' | 'execution_interrupted' | 'cached'): Promise<void>;
  close(): Promise<void>;
}

export async function startDay(t0: number): Promise<Day> {
  const dataDir = await mkdtemp(join(tmpdir(), 'accountability-day-'));
  const comfy = await startFakeComfy();
  const cloud = await startFakeCloud();
  createSettingsStore({ cwd: dataDir }).update({ upstreamUrl: comfy.url });
  const clock = { now: t0 };
  const app = await createCompanion({
    dataDir,
    appVersion: '0.0.0-day',
    safeStorage: basicTextSafeStorage,
    StoreClass: Conf as unknown as BackingStoreClass,
    openExternal: async () => {},
    keyring: null,
    listenPortOverride: 0,
    now: () => clock.now,
  });
  await app.start();
  // Until the lead's JobLedger is wired into the stack, usage listens to this contract double.
  const ledger = new MemoryLedger();
  const detach = app.services.keys.usage.attachLedger(ledger);
  const sockets: WebSocket[] = [];
  const base = () => app.proxyUrl() ?? '';

  const day: Day = {
    dataDir,
    comfy,
    cloud,
    app,
    ledger,
    clock,
    tick: (ms = 60_000) => void (clock.now += ms),
    async ipc(channel, req) {
      const r = await invokeHandler(app.handlers, channel, req);
      if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
      return r.value;
    },
    http(path, init = {}) {
      const headers: Record<string, string> = { origin: base() };
      if (init.secret) headers.authorization = `Bearer ${init.secret}`;
      if (init.cookie) headers.cookie = init.cookie;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${base()}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    },
    async cli(...args) {
      let out = '';
      let err = '';
      const code = await runKeysCommand(args, { dataDir, now: () => clock.now, stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
      // The app's store picks up the CLI's change of keys.json (watcher), as with a separate process.
      app.services.keys.store.reload();
      return { code, out, err };
    },
    async job(secret, keyId, lengthMs, end) {
      const clientId = randomUUID();
      const ws = new WebSocket(`${base().replace('http', 'ws')}/ws?clientId=${clientId}`, { headers: { authorization: `Bearer ${secret}` } });
      sockets.push(ws);
      ws.on('message', (data, binary) => {
        if (binary) return;
        const msg = JSON.parse(String(data)) as { type: string; data: Record<string, unknown> };
        ledger.observeWsMessage(comfy.url, msg, clock.now);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      await comfy.waitForWsClient(clientId);
      const res = await day.http('/prompt', { method: 'POST', secret, body: { prompt: { '1': { class_type: 'KSampler', inputs: {} } }, client_id: clientId } });
      if (res.status !== 200) throw new Error(`POST /prompt: ${res.status} ${await res.text()}`);
      const { prompt_id: promptId, number } = (await res.json()) as { prompt_id: string; number: number };
      ledger.recordSubmitted({ promptId, owner: keyId, ownerName: null, clientId, upstream: comfy.url, number, at: clock.now });
      if (end === 'cached') {
        ledger.finishCached(promptId, clock.now);
      } else {
        await comfy.sendJson({ type: 'execution_start', data: { prompt_id: promptId, timestamp: clock.now } }, clientId);
        await ledger.waitFor(promptId, 'started');
        clock.now += lengthMs;
        await comfy.sendJson({ type: end, data: { prompt_id: promptId, timestamp: clock.now } }, clientId);
        await ledger.waitFor(promptId, 'finished');
      }
      ws.close();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      detach();
      await app.close();
      await comfy.close();
      await cloud.close();
    },
  };
  return day;
}
