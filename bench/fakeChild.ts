// Bench process hosting the fake ComfyUI upstream, plus a command that blasts binary preview frames to a client.
import { serveParent } from './childProcess';
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
});
