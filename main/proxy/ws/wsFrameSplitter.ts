// Splits the byte stream of an upstream WebSocket (a trusted ComfyUI server talking to the proxy as its
// client) at frame boundaries, so that whole unfragmented binary frames — ComfyUI's previews — can be
// relayed to the browser as the very bytes that arrived: server-to-client frames are unmasked in both hops,
// so the upstream's frame is already a valid frame for the client. No payload is copied or re-framed; the
// frame's pieces are views of the socket's own read buffers, handed over once the frame is complete (a
// frame is never half-written, so it cannot interleave with other frames to the client).
// Every other frame (text, fragmented messages, control frames, anything malformed or over the size limit)
// is passed on untouched to `ws`, which parses, validates and answers it as before.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';

/** Receives a complete binary frame: header and payload, in order, as views of the received chunks. */
export type RawFrameSink = (parts: Buffer[]) => void;

type DataListener = (this: Duplex, chunk: Buffer) => void;

const enum State {
  Header,
  /** Collecting a frame relayed as bytes. */
  Raw,
  /** Handing a frame's bytes to ws. */
  Pass,
}

const OP_CONTINUATION = 0x0;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;

/** Bytes of a frame header: 2, plus the extended length, plus the masking key. */
function headerLength(b1: number): number {
  const len7 = b1 & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

/** Payload length from a complete header; -1 when it does not fit in a safe integer (ws rejects it). */
function payloadLength(h: Buffer): number {
  const len7 = h[1]! & 0x7f;
  if (len7 === 126) return h.readUInt16BE(2);
  if (len7 === 127) {
    const high = h.readUInt32BE(2);
    return high > 0x1fffff ? -1 : high * 0x1_0000_0000 + h.readUInt32BE(6);
  }
  return len7;
}

export class WsFrameSplitter {
  /** Where whole binary frames go; null (e.g. before the client is connected): they go to ws too. */
  sink: RawFrameSink | null = null;
  private readonly wsListeners: DataListener[];
  /** A length ws rejects was seen: ws fails the connection, and nothing more is split. */
  private stopped = false;
  /** After the upstream's close frame nothing is relayed raw (ws ignores what follows it). */
  private closeSeen = false;
  /** A fragmented message is in progress: its frames, and continuations, all go to ws. */
  private inMessage = false;
  private state = State.Header;
  /** Payload bytes left in the current frame. */
  private remaining = 0;
  private parts: Buffer[] = [];
  /** The start of a header that a chunk boundary cut. */
  private pending: Buffer | null = null;

  /** Takes over the socket's 'data' event from ws; call it when ws emits 'open' (before any data flows). */
  constructor(
    private readonly socket: Duplex,
    private readonly maxPayload: number,
  ) {
    this.wsListeners = socket.listeners('data') as DataListener[];
    for (const l of this.wsListeners) socket.removeListener('data', l);
    // ws reads what is left in a paused socket when it closes; the bytes must pass here first.
    socket.prependListener('close', () => {
      if (socket.readableEnded || socket.readableLength === 0) return;
      const rest = socket.read(socket.readableLength) as Buffer | null;
      if (rest) this.onData(rest);
    });
    socket.on('data', this.onData);
  }

  private toWs(bytes: Buffer): void {
    for (const l of this.wsListeners) l.call(this.socket, bytes);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.stopped) return;
    let at = 0;
    const end = chunk.length;
    while (at < end && !this.stopped) {
      if (this.state === State.Header) {
        const used = this.readHeader(chunk, at);
        if (used < 0) return; // the rest of the chunk is an incomplete header, kept in `pending`
        at += used;
        continue;
      }
      const take = Math.min(this.remaining, end - at);
      const piece = at === 0 && take === end ? chunk : chunk.subarray(at, at + take);
      at += take;
      this.remaining -= take;
      if (this.state === State.Raw) this.parts.push(piece);
      else this.toWs(piece);
      if (this.remaining === 0) this.frameDone();
    }
  };

  /** Parses a header starting at `at` (after any pending bytes); returns the bytes of `chunk` it used, or -1. */
  private readHeader(chunk: Buffer, at: number): number {
    const pending = this.pending;
    const avail = (pending?.length ?? 0) + chunk.length - at;
    if (avail < 2) return this.keep(chunk, at);
    const b1 = pending && pending.length >= 2 ? pending[1]! : pending ? chunk[at]! : chunk[at + 1]!;
    const size = headerLength(b1);
    if (avail < size) return this.keep(chunk, at);
    let header: Buffer;
    let used: number;
    if (pending) {
      used = size - pending.length;
      header = Buffer.concat([pending, chunk.subarray(at, at + used)]);
      this.pending = null;
    } else {
      used = size;
      header = chunk.subarray(at, at + size);
    }
    const b0 = header[0]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const length = payloadLength(header);
    const raw =
      this.sink !== null && !this.closeSeen && !this.inMessage &&
      fin && (b0 & 0x70) === 0 && opcode === OP_BINARY && (b1 & 0x80) === 0 && length >= 0 && length <= this.maxPayload;
    if (opcode === OP_CLOSE) this.closeSeen = true;
    else if (opcode < 0x8) this.inMessage = opcode === OP_CONTINUATION ? this.inMessage && !fin : !fin;
    if (raw) {
      this.state = State.Raw;
      this.parts = [header];
    } else {
      this.state = State.Pass;
      this.toWs(header);
    }
    this.remaining = length > 0 ? length : 0;
    if (length < 0) this.stopped = true;
    if (this.remaining === 0) this.frameDone();
    return used;
  }

  private keep(chunk: Buffer, at: number): -1 {
    const rest = chunk.subarray(at);
    this.pending = this.pending ? Buffer.concat([this.pending, rest]) : Buffer.from(rest);
    return -1;
  }

  private frameDone(): void {
    if (this.state === State.Raw) {
      const parts = this.parts;
      this.parts = [];
      this.sink?.(parts);
    }
    this.state = State.Header;
  }
}

const splitters = new WeakMap<WebSocket, WsFrameSplitter>();

/** Gives an upstream socket (a ws client, still connecting) a splitter the moment it opens. */
export function splitWhenOpen(ws: WebSocket, maxPayload: number): void {
  let socket: Duplex | null = null;
  ws.once('upgrade', (res: IncomingMessage) => (socket = res.socket));
  // Registered before anyone else's 'open' listener: the splitter is in place before a session attaches.
  ws.once('open', () => {
    if (socket) splitters.set(ws, new WsFrameSplitter(socket, maxPayload));
  });
}

export function splitterOf(ws: WebSocket): WsFrameSplitter | undefined {
  return splitters.get(ws);
}

/** Writes a frame's pieces in one go (one writev); `done` runs when the last one is flushed. */
export function writeFrame(socket: Duplex, parts: Buffer[], done: () => void): void {
  const last = parts.length - 1;
  if (last === 0) {
    socket.write(parts[0], done);
    return;
  }
  socket.cork();
  for (let i = 0; i < last; i++) socket.write(parts[i]);
  socket.write(parts[last], done);
  socket.uncork();
}
