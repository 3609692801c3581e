// Scenario (c): binary WebSocket frames (64 KiB previews) sent by the upstream and counted at a client, per target.
import { WebSocket } from 'ws';
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';

const FRAMES = 2000;
const ROUNDS = 3;
const FRAME_BYTES = 64 * 1024;

/** Connects, waits for the greeting, has the upstream send FRAMES previews, and times their arrival. */
export async function measureFrames(ctx: BenchContext, target: BenchTarget, clientId: string, count = FRAMES): Promise<number> {
  const wsUrl = `${(target.url ?? '').replace(/^http/, 'ws')}/ws?clientId=${clientId}`;
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${target.key}` }, perMessageDeflate: false });
  let frames = 0;
  let bytes = 0;
  let done: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (done = resolve));
  const greeted = new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return resolve();
      frames += 1;
      bytes += data.length;
      if (frames === count) done();
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`${target.name}: /ws answered ${res.statusCode}`)));
    ws.on('error', reject);
  });
  await greeted;
  await ctx.fake.request('waitForClient', { clientId });
  const started = process.hrtime.bigint();
  await ctx.fake.request('blast', { clientId, count, bytes: FRAME_BYTES - 8 });
  await allArrived;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  ws.close();
  if (bytes !== count * FRAME_BYTES) throw new Error(`${target.name}: got ${bytes} bytes, expected ${count * FRAME_BYTES}`);
  return count / seconds;
}

export const wsFramesScenario: Scenario = {
  title: `WebSocket binary frames (${FRAMES} × ${FRAME_BYTES / 1024} KiB preview frames, upstream → client, best of ${ROUNDS} interleaved runs)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    for (const target of ctx.targets) if (target.url) await measureFrames(ctx, target, `warm-${target.name}`, 500); // JIT and the relay path
    const best = await bestOfInterleaved(ctx.targets, ROUNDS, (target, round) => measureFrames(ctx, target, `bench-${target.name}-${round}`), (a, b) => a > b);
    const direct = best.get('direct') ?? 0;
    const rows = ctx.targets.map((target) => {
      const fps = best.get(target.name);
      if (fps === undefined) return [target.name, target.note ?? 'not available', '', ''];
      return [target.name, fps.toFixed(0), ((fps * FRAME_BYTES) / 1024 / 1024).toFixed(0), ratio(fps, direct)];
    });
    return { title: this.title, headers: ['target', 'frames/s', 'MiB/s', 'vs direct'], rows };
  },
};
