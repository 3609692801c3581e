// Helpers for the scripted accountability day: a controllable clock, a companion (the app's own
// composition root) in front of the fake ComfyUI and fake Comfy Cloud, IPC calls, proxy calls, the CLI
// in-process on the same data dir, and jobs whose start and finish reach the proxy's job ledger through /ws.
import Conf from 'conf';
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { invokeHandler } from '../../main/api/companionApi';
import { createCompanion, type Companion } from '../../main/compose/companion';
import { runKeysCommand } from '../../main/cli/keysCli';
import { createSettingsStore, type BackingStoreClass } from '../../main/settings/settingsStore';
import type { Job, JobEvent } from '../../main/jobs/types';
import type { Channel, Req, Res } from '../../preload/contract';
import { startFakeCloud, type FakeCloud } from '../fixtures/fakeCloud';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { basicTextSafeStorage } from '../fixtures/fakeSafeStorage';

export interface Day {
  dataDir: string;
  comfy: FakeComfy;
  cloud: FakeCloud;
  app: Companion;
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
  createSettingsStore({ cwd: dataDir }).update({ upstreams: [comfy.url] });
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
  const ledger = app.services.ledger;
  /** Resolves when the real ledger has the job in this phase (its times come from the clock above). */
  const reached = (promptId: string, type: JobEvent['type']): Promise<Job> => {
    const done = (j: Job | undefined) => j && (type === 'started' ? j.startedAt !== null : j.finishedAt !== null);
    const now = ledger.get(promptId);
    if (done(now)) return Promise.resolve(now as Job);
    return new Promise((resolve) => {
      const stop = ledger.subscribe((e) => {
        if (e.job.promptId === promptId && done(e.job)) {
          stop();
          resolve(e.job);
        }
      });
    });
  };
  const sockets: WebSocket[] = [];
  const base = () => app.proxyUrl() ?? '';

  const day: Day = {
    dataDir,
    comfy,
    cloud,
    app,
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
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      await comfy.waitForWsClient(clientId);
      const res = await day.http('/prompt', { method: 'POST', secret, body: { prompt: { '1': { class_type: 'KSampler', inputs: {} } }, client_id: clientId } });
      if (res.status !== 200) throw new Error(`POST /prompt: ${res.status} ${await res.text()}`);
      const { prompt_id: promptId } = (await res.json()) as { prompt_id: string };
      if (ledger.ownerOfJob(promptId) !== keyId) throw new Error('the ledger did not record the job for its key');
      const send = (type: string, data: Record<string, unknown> = {}) => comfy.sendJson({ type, data: { prompt_id: promptId, timestamp: clock.now, ...data } }, clientId);
      await send('execution_start');
      await reached(promptId, 'started');
      clock.now += lengthMs;
      // A job that executed a node succeeds; one that ends without running any node was cached.
      if (end !== 'cached') await send('executing', { node: '3', display_node: '3' });
      if (end === 'execution_error') await send('execution_error', { node_id: '3', node_type: 'KSampler', exception_message: 'CUDA out of memory', exception_type: 'RuntimeError' });
      else await send(end === 'cached' ? 'execution_success' : end);
      await reached(promptId, 'finished');
      ws.close();
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await app.close();
      await comfy.close();
      await cloud.close();
    },
  };
  return day;
}
