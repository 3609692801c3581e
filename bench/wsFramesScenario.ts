// Scenario (c): binary WebSocket frames (64 KiB previews) sent by the upstream and counted at a client, per target.
import { WebSocket } from 'ws';
import { cpuMicros } from './procStats';
import { bestOfInterleaved, ratio, type BenchContext, type BenchTarget, type Scenario, type ScenarioResult } from './scenario';

const FRAMES = 20000;
const ROUNDS = 3;
const FRAME_BYTES = 64 * 1024;

interface FrameMeasurement {
  fps: number;
  /** CPU µs per frame of the target's process (the proxy or nginx; the fake upstream when direct). */
  cpuUsPerFrame: number;
}

/** Connects, waits for the greeting, has the upstream send FRAMES previews, and times their arrival. */
export async function measureFrames(ctx: BenchContext, target: BenchTarget, clientId: string, count = FRAMES): Promise<FrameMeasurement> {
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
  const cpu0 = target.pid ? cpuMicros(target.pid) : Number.NaN;
  await ctx.fake.request('blast', { clientId, count, bytes: FRAME_BYTES - 8 });
  await allArrived;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = target.pid ? cpuMicros(target.pid) - cpu0 : Number.NaN;
  ws.close();
  if (bytes !== count * FRAME_BYTES) throw new Error(`${target.name}: got ${bytes} bytes, expected ${count * FRAME_BYTES}`);
  return { fps: count / seconds, cpuUsPerFrame: cpu / count };
}

export const wsFramesScenario: Scenario = {
  title: `WebSocket binary frames (${FRAMES} × ${FRAME_BYTES / 1024} KiB preview frames, upstream → client, best of ${ROUNDS} interleaved runs)`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const id = (name: string): string => name.replace(/[^A-Za-z0-9]+/g, '-');
    for (const target of ctx.targets) if (target.url) await measureFrames(ctx, target, `warm-${id(target.name)}`, 500); // JIT and the relay path
    const all = new Map<string, FrameMeasurement[]>();
    await bestOfInterleaved(
      ctx.targets,
      ROUNDS,
      async (target, round) => {
        const m = await measureFrames(ctx, target, `bench-${id(target.name)}-${round}`);
        all.set(target.name, [...(all.get(target.name) ?? []), m]);
        return m;
      },
      (a, b) => a.fps > b.fps,
    );
    const fpsOf = (name: string): number | undefined => {
      const ms = all.get(name);
      return ms ? Math.max(...ms.map((m) => m.fps)) : undefined;
    };
    const cpuOf = (name: string): number => Math.min(...(all.get(name) ?? []).map((m) => m.cpuUsPerFrame));
    const direct = fpsOf('direct') ?? 0;
    const rows = ctx.targets.map((target) => {
      const fps = fpsOf(target.name);
      if (fps === undefined) return [target.name, target.note ?? 'not available', '', '', ''];
      return [target.name, fps.toFixed(0), ((fps * FRAME_BYTES) / 1024 / 1024).toFixed(0), ratio(fps, direct), Number.isFinite(cpuOf(target.name)) ? cpuOf(target.name).toFixed(1) : ''];
    });
    return {
      title: this.title,
      headers: ['target', 'frames/s', 'MiB/s', 'vs direct', 'CPU µs/frame'],
      rows,
      notes: [
        'frames/s: best round; CPU µs/frame: lowest round, of the process in the middle (the proxy, nginx) or, for direct, of the fake upstream that sends the frames. The upstream keeps up to 32 frames in flight.',
      ],
    };
  },
};
