// Relays an admitted /ws upgrade to every live upstream with the same clientId (SPEC §3, §8.3, §10). The
// upstream sockets are opened first, so a refusal reaches the client as an HTTP status; then frames flow
// both ways with backpressure, each upstream message passing the router (which job it is about, whose it
// is) before it reaches the client; several upstreams' `status` messages are merged. Whole binary frames
// (previews) are relayed as the bytes that arrived (wsFrameSplitter.ts); everything else goes through `ws`.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { Upstream } from '../sharing/context';
import { FanOutThrottle, Throttle } from './wsBackpressure';
import { rawResponse } from '../../http/rawResponse';
import { closeReason, sendableCode } from './wsCloseReason';
import { splitterOf, splitWhenOpen, writeFrame } from './wsFrameSplitter';
import { looksLikeStatus, parseStatus, StatusMerger } from './wsStatus';

const MAX_PAYLOAD = 256 * 1024 * 1024;

export interface WsRelayOptions {
  clientId: string;
  upstreams: readonly Upstream[];
  /** Path and query for an upstream socket (credential-free, with the clientId). */
  path: string;
  headers(u: Upstream): Record<string, string>;
  /** A secret that must never reach a client (the app's cloud key: a custom node can echo extra_data). */
  secret?(): string | null;
  /** Decides whether an upstream frame reaches this client (and lets the ledger see it). */
  deliverText(upstreamId: string, text: string): boolean;
  deliverBinary(upstreamId: string): boolean;
  onOpen?(session: WsSession): void;
  /** Several upstreams (SPEC §10): merge their `status` messages (default: when `upstreams` has several). */
  mergeStatus?: boolean;
  /** A key's socket: how its `status` messages read (keyStatus.ts); admin's pass as ComfyUI (or the merge) says. */
  statusView?: (data: Record<string, unknown>) => string;
  /** An upstream's queue_remaining, from a merged `status` message. */
  onStatus?(upstreamId: string, queueRemaining: number): void;
  /** An upstream socket failed to open or closed without the proxy asking: it may be down. */
  onUpstreamLost?(upstreamId: string): void;
  onClose?(): void;
  /** The upgrade could not be completed; status is what the client was told. */
  onRefused?(status: number): void;
}

/** One client socket and its upstream sockets. */
export class WsSession {
  private readonly upstreams = new Map<string, WebSocket>();
  /** Upstreams a socket is being opened to (join); sockets the proxy itself is closing (detach). */
  private readonly joiningIds = new Set<string>();
  private readonly leaving = new Set<WebSocket>();
  private readonly merger: StatusMerger;
  private closed = false;

  constructor(
    readonly client: WebSocket,
    /** The client's TCP (or TLS) socket, the one `client` writes to: whole binary frames are written here. */
    private readonly clientSocket: Duplex,
    readonly options: WsRelayOptions,
    private readonly onEnd: () => void,
  ) {
    this.merger = new StatusMerger(options.clientId);
    // Client frames go to every upstream; a backed-up upstream pauses the client until all have drained.
    const throttle = new FanOutThrottle(client, () => this.upstreams.values());
    client.on('message', (data: RawData, isBinary: boolean) => {
      for (const up of this.upstreams.values()) {
        if (up.readyState !== WebSocket.OPEN) continue;
        up.send(data, { binary: isBinary }, throttle.sent);
        throttle.check(up);
      }
    });
    client.on('close', (code, reason) => this.end(sendableCode(code), reason.toString()));
    client.on('error', () => this.end(1011, ''));
  }

  /** Whether this session has, or is opening, a socket to that upstream. */
  reaches(upstreamId: string): boolean {
    return this.upstreams.has(upstreamId) || this.joiningIds.has(upstreamId);
  }

  /** A message from the proxy itself (a job lost with its upstream). */
  sendToClient(text: string): void {
    if (this.client.readyState === WebSocket.OPEN) this.client.send(text);
  }

  /** Starts relaying an open upstream socket; `early` are frames it sent before the client was ready. */
  attach(upstreamId: string, up: WebSocket, early: { data: RawData; isBinary: boolean }[]): void {
    this.joiningIds.delete(upstreamId);
    if (this.closed) {
      up.close(1001);
      return;
    }
    const previous = this.upstreams.get(upstreamId);
    if (previous) this.detachSocket(previous);
    this.upstreams.set(upstreamId, up);
    const throttle = new Throttle(up, this.client);
    const deliver = (data: RawData, isBinary: boolean) => {
      if (this.client.readyState !== WebSocket.OPEN) return;
      let out: RawData | string = data;
      if (isBinary) {
        if (!this.options.deliverBinary(upstreamId)) return;
      } else {
        const text = data.toString();
        if (!this.options.deliverText(upstreamId, text)) return;
        const secret = this.options.secret?.();
        if (secret && text.includes(secret)) out = text.replaceAll(secret, '[redacted]');
        const merge = this.options.mergeStatus ?? this.options.upstreams.length > 1;
        if ((merge || this.options.statusView) && looksLikeStatus(text)) {
          const status = parseStatus(text);
          if (status) {
            const data = merge ? this.merger.merge(upstreamId, status) : status.data;
            out = this.options.statusView ? this.options.statusView(data) : JSON.stringify({ type: 'status', data });
            const n = status.data.status?.exec_info?.queue_remaining;
            if (typeof n === 'number' && Number.isFinite(n)) this.options.onStatus?.(upstreamId, n);
          }
        }
      }
      this.client.send(out, { binary: isBinary }, throttle.sent);
      throttle.check();
    };
    for (const m of early) deliver(m.data, m.isBinary);
    up.on('message', deliver);
    // Whole binary frames skip ws on both hops: the same routing decision, then the bytes as they came.
    const splitter = splitterOf(up);
    if (splitter) {
      splitter.sink = (parts) => {
        if (this.client.readyState !== WebSocket.OPEN || !this.options.deliverBinary(upstreamId)) return;
        writeFrame(this.clientSocket, parts, throttle.sent);
        throttle.check();
      };
    }
    up.on('close', (code, reason) => {
      const asked = this.leaving.delete(up);
      // A replaced socket's close must not remove its successor.
      if (this.upstreams.get(upstreamId) !== up) return;
      this.upstreams.delete(upstreamId);
      this.merger.forget(upstreamId);
      if (!asked && !this.closed) this.options.onUpstreamLost?.(upstreamId);
      // One upstream going away ends the client's socket only when it was the last one.
      if (this.upstreams.size === 0) this.end(sendableCode(code), reason.toString());
    });
    up.on('error', () => up.terminate());
  }

  /** Closes the part of this session that goes to one upstream (it went down). */
  detach(upstreamId: string): void {
    const up = this.upstreams.get(upstreamId);
    if (up) this.detachSocket(up);
  }

  private detachSocket(up: WebSocket): void {
    this.leaving.add(up);
    const splitter = splitterOf(up);
    if (splitter) splitter.sink = null;
    up.terminate();
  }

  /** join() is opening a socket to this upstream (true), or that failed (false); attach() settles it too. */
  joining(upstreamId: string, pending: boolean): void {
    if (pending) this.joiningIds.add(upstreamId);
    else this.joiningIds.delete(upstreamId);
  }

  /** Ends the session: revocation (1008), shutdown (1001) or a peer's close. */
  end(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const up of this.upstreams.values()) {
      if (up.readyState === WebSocket.OPEN) up.close(code === 1008 ? 1000 : code, '');
      else up.terminate();
    }
    this.upstreams.clear();
    if (this.client.readyState === WebSocket.OPEN) this.client.close(code, closeReason(reason));
    else this.client.terminate();
    this.onEnd();
  }
}

export class WsRelay {
  private readonly server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
  private readonly sessions = new Set<WsSession>();

  /** Opens a socket to each upstream; once all have answered, completes the client's handshake. */
  relay(req: IncomingMessage, socket: Duplex, head: Buffer, options: WsRelayOptions): void {
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    const opened: { id: string; ws: WebSocket; early: { data: RawData; isBinary: boolean }[] }[] = [];
    const connecting: WebSocket[] = [];
    let lastError = '';
    let established = false;
    let waiting = options.upstreams.length;
    const settle = () => {
      if (--waiting > 0) return;
      if (opened.length === 0 || socket.destroyed) {
        for (const o of opened) o.ws.terminate();
        options.onRefused?.(502);
        rawResponse(socket, 502, 'upstream_unavailable', lastError || 'No ComfyUI server is reachable.');
        return;
      }
      this.server.handleUpgrade(req, socket, head, (client) => {
        established = true;
        const session = new WsSession(client, socket, options, () => {
          this.sessions.delete(session);
          options.onClose?.();
        });
        this.sessions.add(session);
        options.onOpen?.(session);
        for (const o of opened) {
          o.ws.removeAllListeners('message');
          session.attach(o.id, o.ws, o.early);
        }
      });
    };
    // A client gone before the relay is set up must not leave upstream sockets open.
    const abandon = () => {
      if (!established) for (const ws of connecting) ws.terminate();
    };
    socket.on('error', abandon);
    socket.once('close', abandon);
    for (const u of options.upstreams) {
      const ws = this.connect(u, options.path, protocols, options.headers(u));
      connecting.push(ws);
      const early: { data: RawData; isBinary: boolean }[] = [];
      let done = false;
      const finish = (ok: boolean, why: string) => {
        if (done) return;
        done = true;
        if (ok) opened.push({ id: u.id, ws, early });
        else {
          lastError = why;
          options.onUpstreamLost?.(u.id);
        }
        settle();
      };
      ws.on('message', (data: RawData, isBinary: boolean) => early.push({ data, isBinary }));
      ws.on('open', () => finish(true, ''));
      ws.on('unexpected-response', (_r, res) => {
        ws.terminate();
        finish(false, `ComfyUI at ${u.target.origin} refused the WebSocket (HTTP ${res.statusCode ?? 502}).`);
      });
      ws.on('error', (err: NodeJS.ErrnoException) => finish(false, `ComfyUI at ${u.target.origin} is not reachable (${err.code ?? err.message}).`));
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The open sessions (for an upstream going down or coming back). */
  openSessions(): WsSession[] {
    return [...this.sessions];
  }

  /** Gives every open session a socket to an upstream that came (back) up. */
  joinAll(u: Upstream): void {
    for (const s of this.sessions) {
      if (s.reaches(u.id)) continue;
      this.join(s, u, s.options.path, s.options.headers(u));
    }
  }

  /** Adds a socket to an upstream that came up after the session started. */
  join(session: WsSession, u: Upstream, path: string, headers: Record<string, string>): void {
    session.joining(u.id, true);
    const ws = this.connect(u, path, [], headers);
    const early: { data: RawData; isBinary: boolean }[] = [];
    let opened = false;
    ws.on('message', (data: RawData, isBinary: boolean) => early.push({ data, isBinary }));
    ws.on('open', () => {
      opened = true;
      ws.removeAllListeners('message');
      session.attach(u.id, ws, early);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      if (!opened) session.joining(u.id, false);
    });
  }

  /** Closes every relayed socket (shutdown, pause). */
  closeAll(code = 1001): void {
    for (const s of [...this.sessions]) s.end(code, 'proxy shutting down');
  }

  private connect(u: Upstream, path: string, protocols: string[], headers: Record<string, string>): WebSocket {
    const scheme = u.target.secure ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${u.target.hostHeader}${path}`, protocols, {
      headers,
      origin: u.target.origin,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
      handshakeTimeout: 10_000,
    });
    splitWhenOpen(ws, MAX_PAYLOAD);
    return ws;
  }
}
