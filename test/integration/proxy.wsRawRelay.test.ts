// Whole binary frames from ComfyUI are relayed as the bytes that arrived (wsFrameSplitter.ts) while text
// goes through ws: through the real proxy, a burst mixing both, with every length encoding and frames that
// span several socket reads, reaches the client complete and in the order ComfyUI sent it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHarness, type Harness } from '../helpers/proxyHarness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Msg = { text: string } | { binary: Buffer };

describe('WebSocket relay of mixed frames', () => {
  it('keeps text and binary frames of every size in order and byte-identical', async () => {
    const received: Msg[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws?clientId=mixed`, { headers: h.auth, perMessageDeflate: false });
    ws.on('message', (data: Buffer, isBinary) => received.push(isBinary ? { binary: Buffer.from(data) } : { text: data.toString() }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await h.fake.waitForWsClient('mixed');
    await expect.poll(() => received.length).toBe(1); // the greeting `status`
    received.length = 0;

    const sizes = [0, 1, 125, 126, 65_535, 65_536, 65_537, 300_000, 2 * 1024 * 1024];
    const sent: Msg[] = [];
    const sends: Promise<void>[] = [];
    sizes.forEach((n, i) => {
      const text = JSON.stringify({ type: 'progress', data: { value: i, max: sizes.length } });
      const binary = Buffer.alloc(n, (i * 37) & 0xff);
      if (n > 0) binary[n - 1] = 0xee; // a wrong cut would show at the end
      sent.push({ text }, { binary });
      sends.push(h.fake.sendJson({ type: 'progress', data: { value: i, max: sizes.length } }, 'mixed'), h.fake.sendBinary(binary, 'mixed'));
    });
    await Promise.all(sends);
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(sent.length);
    received.forEach((m, i) => {
      const want = sent[i] as Msg;
      if ('text' in want) expect(m).toEqual(want);
      else expect('binary' in m && m.binary.equals(want.binary)).toBe(true);
    });
    ws.close();
  });
});
