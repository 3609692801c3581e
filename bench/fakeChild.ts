// Bench process hosting the fake ComfyUI upstream, plus commands that blast binary preview frames to a client
// and fill its queue and history with jobs the size the web UI sends (jsonReadsScenario.ts).
import { serveParent } from './childProcess';
import { benchPrompt } from './benchJobs';
import { startFakeComfy } from '../test/fixtures/fakeComfy';

const fake = await startFakeComfy();

serveParent({
  ready: () => ({ url: fake.url, port: fake.port }),
  waitForClient: async (args) => {
    await fake.waitForWsClient(String(args.clientId));
    return true;
  },
  /** Sends `count` preview frames of `bytes` to clientId, keeping at most `window` frames in flight. */
  blast: async (args) => {
    const count = Number(args.count);
    const payload = Buffer.alloc(Number(args.bytes), 0x5a);
    const window = 32;
    let inFlight: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      inFlight.push(fake.sendPreview(payload, 1, String(args.clientId)));
      if (inFlight.length >= window) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    return true;
  },
  connections: () => fake.connectionsOpened,
  /** Queues `finished` jobs and runs them (history), then `pending` more that stay queued. */
  fillJobs: async (args) => {
    const queue = async (i: number): Promise<string> => {
      const res = await fetch(`${fake.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(benchPrompt(i, Number(args.workflowBytes))) });
      return ((await res.json()) as { prompt_id: string }).prompt_id;
    };
    for (let i = 0; i < Number(args.finished); i++) await fake.runFakeJob(await queue(i), undefined, 1);
    for (let i = 0; i < Number(args.pending); i++) await queue(1000 + i);
    return true;
  },
  clearJobs: async () => {
    for (const path of ['/queue', '/history']) await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"clear":true}' });
    return true;
  },
});
