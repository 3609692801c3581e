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
  /** A large node set (`nodes` classes with combos, LoadImage among them) for /object_info; 0 puts the stock one back. */
  bigObjectInfo: (args) => {
    const n = Number(args.nodes);
    if (n === 0) {
      fake.setObjectInfo('a');
      return 0;
    }
    const defs: Record<string, Record<string, unknown>> = {
      LoadImage: { input: { required: { image: [Array.from({ length: 300 }, (_, i) => `photo_${i}.png`), { image_upload: true }] } }, name: 'LoadImage', output: ['IMAGE', 'MASK'] },
      SaveImage: { input: { required: { images: ['IMAGE'] } }, name: 'SaveImage', output: [], output_node: true },
    };
    for (let i = 0; i < n; i++) {
      defs[`CustomNode${i}`] = {
        input: { required: { model: [Array.from({ length: 40 }, (_, j) => `model_${j}.safetensors`)], strength: ['FLOAT', { default: 1, min: 0, max: 10, step: 0.01 }], text: ['STRING', { multiline: true }] } },
        input_order: { required: ['model', 'strength', 'text'] },
        output: ['MODEL'],
        output_name: ['MODEL'],
        name: `CustomNode${i}`,
        display_name: `Custom node ${i}`,
        description: 'A node from a custom node pack, with a description of a typical length for such nodes.',
        category: 'custom/pack',
        python_module: 'custom_nodes.pack',
        output_node: false,
      };
    }
    fake.setObjectInfo(defs);
    return Buffer.byteLength(JSON.stringify(defs));
  },
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
