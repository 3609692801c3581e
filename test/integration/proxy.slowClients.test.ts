// Slow clients (SPEC §9): a connection whose request head (HTTP or WebSocket upgrade) is not complete within
// the head limit is answered 408 and closed, counted and logged without flooding; a body that keeps
// progressing streams for as long as it takes. Most tests shorten the 30 s limit to 400 ms; one checks the
// real default on a real socket.
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { startSharing, type TestKey } from './sharing.helpers';

const HEAD_MS = 400;
let h: Harness;
let key: TestKey;
const logged: string[] = [];

beforeAll(async () => {
  ({ h, keys: { uploader: key } } = await startSharing({ uploader: {} }, { slowClients: { headTimeoutMs: HEAD_MS, log: (m) => logged.push(m) } }));
});
afterAll(async () => {
  await h.close();
});

interface Trickle {
  /** Everything the proxy sent back before closing. */
  answer: Promise<string>;
  /** ms from connect to close. */
  closedAfter: Promise<number>;
  bytesSent(): number;
}

/** Connects and sends `head` one byte every `everyMs` (forever, if the head never ends); records the answer. */
function trickle(port: number, head: string, everyMs: number): Trickle {
  const socket = net.connect(port, '127.0.0.1');
  const started = performance.now();
  let sent = 0;
  let got = '';
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return;
    socket.write(head[sent % head.length] ?? 'x');
    sent++;
  }, everyMs);
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve(performance.now() - started);
    }),
  );
  return { answer: closed.then(() => got), closedAfter: closed, bytesSent: () => sent };
}

const endless = (port: number) => `GET /system_stats HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${'X-Filler: slow\r\n'.repeat(1000)}`;

describe('a request head that is not complete in time', () => {
  it('is answered 408 and closed although bytes keep arriving, and counted', async () => {
    const before = h.stack.proxy.slowClientsClosed();
    const t = trickle(h.port, endless(h.port), 20);
    const answer = await t.answer;
    expect(await t.closedAfter).toBeGreaterThanOrEqual(HEAD_MS - 50);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('"type":"request_timeout"');
    expect(t.bytesSent()).toBeGreaterThan(3); // it was progressing, one byte at a time
    expect(h.stack.proxy.slowClientsClosed()).toBe(before + 1);
  });

  it('is closed when the connection sends nothing at all', async () => {
    const before = h.stack.proxy.slowClientsClosed();
    const socket = net.connect(h.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume(); // read the 408, or 'close' never comes
    await new Promise((resolve) => socket.on('close', resolve));
    expect(h.stack.proxy.slowClientsClosed()).toBe(before + 1);
  });

  it('is closed for a WebSocket upgrade that trickles its head, with nothing reaching ComfyUI', async () => {
    const upgrades = () => h.fake.received.filter((r) => r.upgrade).length;
    const before = upgrades();
    const head =
      `GET /ws?clientId=slow HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${'X-Filler: slow\r\n'.repeat(1000)}`;
    const t = trickle(h.port, head, 20);
    expect(await t.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(upgrades()).toBe(before);
  });

  it('many closes make one log line at once and a summary later, not a line each', async () => {
    const linesBefore = logged.length;
    const ts = Array.from({ length: 8 }, () => trickle(h.port, endless(h.port), 50));
    await Promise.all(ts.map((t) => t.closedAfter));
    expect(logged.length - linesBefore).toBeLessThanOrEqual(1);
    expect(logged[0]).toMatch(/did not send a complete request head within 0\.4 s/);
    expect(logged.join('\n')).not.toContain('X-Filler');
  });
});

describe('what the head rule leaves alone', () => {
  it('a complete request on a kept-alive connection, and a quick second one on it', async () => {
    const socket = net.connect(h.port, '127.0.0.1');
    const get = `GET /system_stats HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n${Object.entries(key.auth).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    let got = '';
    socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
    socket.write(get);
    await expect.poll(() => (got.match(/HTTP\/1\.1 200 /g) ?? []).length).toBe(1);
    socket.write(get);
    await expect.poll(() => (got.match(/HTTP\/1\.1 200 /g) ?? []).length).toBe(2);
    socket.destroy();
  });

  it('an upload that streams slowly but steadily for many head limits is not cut', async () => {
    const boundary = '----cacslowupload';
    const body = new PassThrough();
    const pending = request(`${h.url}/upload/image`, {
      method: 'POST',
      headers: { ...key.auth, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
      body,
    });
    body.write(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n`);
    const started = performance.now();
    const chunk = Buffer.alloc(1024, 0x42);
    // At least five head limits of steady trickle (more when the machine is slow: the time decides, not a count).
    for (let i = 0; i < 20 || performance.now() - started < 5 * HEAD_MS; i++) {
      body.write(chunk);
      await new Promise((r) => setTimeout(r, 100));
    }
    body.end(`\r\n--${boundary}--\r\n`);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.json<{ name: string }>().name).toBe('slow.png');
    expect(h.fake.uploads.at(-1)?.name).toBe('slow.png');
  });
});
