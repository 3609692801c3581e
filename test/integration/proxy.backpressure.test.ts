// The hot path never buffers a whole body and keeps backpressure (issue 15): a WebSocket client that stops
// reading pauses the upstream socket (ComfyUI's sends stay queued at ComfyUI), and nothing is lost once it
// reads again; a slow HTTP reader of a large download pauses the upstream response the same way.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

const MiB = 1024 * 1024;

/** Polls `read` until it stops changing for `quietPolls` polls in a row; returns the settled value. */
async function settled(read: () => number, quietPolls = 20, everyMs = 50): Promise<number> {
  let last = read();
  for (let quiet = 0; quiet < quietPolls; ) {
    await new Promise((r) => setTimeout(r, everyMs));
    const now = read();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

describe('WebSocket backpressure', () => {
  it('a client that stops reading pauses the upstream; every frame arrives once it reads again', async () => {
    const frames = 96;
    const frameBytes = MiB;
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws?clientId=slow-reader`, { headers: h.auth, perMessageDeflate: false });
    let received = 0;
    let bytes = 0;
    let greeted: () => void = () => undefined;
    const greeting = new Promise<void>((r) => (greeted = r));
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return greeted();
      received++;
      bytes += data.length;
    });
    await greeting;
    await h.fake.waitForWsClient('slow-reader');
    ws.pause(); // stops reading its socket: TCP backs up towards the proxy

    let sent = 0;
    const sends = Array.from({ length: frames }, (_, i) => h.fake.sendPreview(Buffer.alloc(frameBytes - 8, i), 1, 'slow-reader').then(() => sent++));
    // With backpressure, the proxy stops reading ComfyUI's socket once its buffer towards the client is
    // full, so most sends stay queued at ComfyUI. Without it the proxy would take in all 96 MiB.
    const flushed = await settled(() => sent);
    expect(flushed).toBeLessThan(frames);
    // What left ComfyUI sits in kernel buffers and the relay's bounded window, far from the whole stream.
    expect(flushed * frameBytes).toBeLessThan(48 * MiB);
    expect(received).toBe(0);

    ws.resume();
    await Promise.all(sends);
    await expect.poll(() => received, { timeout: 30_000 }).toBe(frames);
    expect(bytes).toBe(frames * frameBytes);
    ws.close();
  });
});

describe('HTTP download backpressure', () => {
  it('a client that stops reading a large download pauses the upstream response', async () => {
    // An upstream of its own that counts what it could hand to the kernel, behind a proxy of the harness's kind.
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    const total = 256; // 64 MiB: well beyond what loopback socket buffers absorb
    let written = 0;
    let finished = false;
    const upstream = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total * chunk.length) });
      const pump = (): void => {
        while (written < total) {
          written++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(() => (finished = true));
      };
      pump();
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const other = await startHarness({ upstream: `http://127.0.0.1:${port}` });
    try {
      let got = 0;
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get(`${other.url}/big.bin`, { headers: other.auth, agent: false }, resolve).on('error', reject);
      });
      expect(res.statusCode).toBe(200);
      res.pause();
      res.on('data', (c: Buffer) => (got += c.length));
      // Paused client → the proxy pauses the upstream → the upstream's writes stop short of the whole body.
      const sentWhilePaused = await settled(() => written);
      expect(sentWhilePaused).toBeLessThan(total);
      expect(finished).toBe(false);
      res.resume();
      await new Promise((r) => res.once('end', r));
      expect(got).toBe(total * chunk.length);
    } finally {
      await other.close();
      upstream.closeAllConnections();
      await new Promise((r) => upstream.close(r));
    }
  });
});
