// The upstream frame splitter (wsFrameSplitter.ts): whole unfragmented binary frames go to the sink as the
// bytes that arrived, everything else goes to ws untouched, and nothing is reordered — wherever the socket's
// reads happen to cut the stream.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WsFrameSplitter } from '../../main/proxy/ws/wsFrameSplitter';

const MAX = 1 << 20;

/** A server-to-client frame (unmasked unless `mask`), like ws's Sender.frame. */
function frame(opcode: number, payload: Buffer, opts: { fin?: boolean; rsv1?: boolean; mask?: boolean } = {}): Buffer {
  const fin = opts.fin ?? true;
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (opts.mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | (opts.rsv1 ? 0x40 : 0) | opcode;
  head[1] = (opts.mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  return Buffer.concat([head, payload]);
}

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

type Event = { to: 'ws' | 'raw'; data: Buffer };

/** A socket with a listener standing in for ws's, and a splitter over it; returns what went where, in order. */
function harness(withSink = true) {
  const socket = new PassThrough();
  const events: Event[] = [];
  const wsListener = (chunk: Buffer): void => void events.push({ to: 'ws', data: Buffer.from(chunk) });
  socket.on('data', wsListener);
  const splitter = new WsFrameSplitter(socket, MAX);
  if (withSink) splitter.sink = (parts) => void events.push({ to: 'raw', data: Buffer.concat(parts) });
  return { socket, events, splitter };
}

function feed(socket: PassThrough, stream: Buffer, cuts: number[]): void {
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    if (cut > at) socket.emit('data', stream.subarray(at, cut));
    at = cut;
  }
}

const raws = (events: Event[]): Buffer[] => events.filter((e) => e.to === 'raw').map((e) => e.data);

// A stream with every kind of frame the splitter must tell apart.
const preview = (n: number, seed: number) => frame(0x2, bytes(n, seed));
const FRAMES = {
  text: frame(0x1, Buffer.from('{"type":"status","data":{}}')),
  empty: preview(0, 1),
  small: preview(125, 2),
  medium: preview(126, 3),
  large: preview(70_000, 4),
  ping: frame(0x9, Buffer.from('hi')),
  fragStart: frame(0x2, bytes(10, 5), { fin: false }),
  fragPing: frame(0xa, Buffer.alloc(0)),
  fragEnd: frame(0x0, bytes(10, 6)),
  masked: frame(0x2, bytes(20, 7), { mask: true }),
  rsv: frame(0x2, bytes(20, 8), { rsv1: true }),
  tooBig: preview(MAX + 1, 9),
  after: preview(300, 10),
};
const order = ['text', 'empty', 'small', 'medium', 'large', 'ping', 'fragStart', 'fragPing', 'fragEnd', 'masked', 'rsv', 'tooBig', 'after'] as const;
const STREAM = Buffer.concat(order.map((k) => FRAMES[k]));
const EXPECTED_RAW = [FRAMES.empty, FRAMES.small, FRAMES.medium, FRAMES.large, FRAMES.after];

describe('WsFrameSplitter', () => {
  const cutSets: [string, number[]][] = [
    ['one chunk', []],
    ['64 KiB reads', Array.from({ length: Math.floor(STREAM.length / 65536) }, (_, i) => (i + 1) * 65536)],
    ['cut inside every header', order.reduce<number[]>((acc, k, i) => [...acc, order.slice(0, i).reduce((n, kk) => n + FRAMES[kk].length, 0) + 1], [])],
    ['odd sizes', Array.from({ length: 400 }, (_, i) => Math.floor(((i + 1) * STREAM.length) / 401) + (i % 3))],
  ];
  for (const [name, cuts] of cutSets) {
    it(`relays whole binary frames raw and the rest to ws, in stream order (${name})`, () => {
      const { socket, events } = harness();
      feed(socket, STREAM, cuts);
      expect(raws(events)).toEqual(EXPECTED_RAW);
      // Event order reproduces the stream byte for byte: nothing reordered, dropped or duplicated.
      expect(Buffer.concat(events.map((e) => e.data)).equals(STREAM)).toBe(true);
    });
  }

  it('splits correctly at every single byte boundary of a header-heavy stream', () => {
    const small = Buffer.concat([FRAMES.text, FRAMES.small, FRAMES.medium, FRAMES.ping, FRAMES.empty, FRAMES.fragStart, FRAMES.fragEnd, FRAMES.small]);
    const { socket, events } = harness();
    feed(socket, small, Array.from({ length: small.length - 1 }, (_, i) => i + 1));
    expect(raws(events)).toEqual([FRAMES.small, FRAMES.medium, FRAMES.empty, FRAMES.small]);
    expect(Buffer.concat(events.map((e) => e.data)).equals(small)).toBe(true);
  });

  it('gives everything to ws while no sink is set', () => {
    const { socket, events } = harness(false);
    feed(socket, STREAM, [100, 70_000]);
    expect(events.every((e) => e.to === 'ws')).toBe(true);
    expect(Buffer.concat(events.map((e) => e.data)).equals(STREAM)).toBe(true);
  });

  it("relays nothing raw after the upstream's close frame (ws, which ignores it, gets the rest)", () => {
    const { socket, events } = harness();
    const close = frame(0x8, Buffer.from([0x03, 0xe8]));
    feed(socket, Buffer.concat([FRAMES.small, close, FRAMES.medium]), []);
    expect(raws(events)).toEqual([FRAMES.small]);
    expect(Buffer.concat(events.filter((e) => e.to === 'ws').map((e) => e.data)).equals(Buffer.concat([close, FRAMES.medium]))).toBe(true);
  });

  it('splits the bytes left in a paused socket when it closes, before ws reads them', async () => {
    const { socket, events } = harness();
    socket.pause();
    socket.write(Buffer.concat([FRAMES.text, FRAMES.large]));
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual([]);
    const closed = new Promise((r) => socket.once('close', r));
    socket.destroy();
    await closed;
    expect(raws(events)).toEqual([FRAMES.large]);
    expect(events[0]?.to).toBe('ws');
  });
});
