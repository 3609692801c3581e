// Relays an authenticated /ws upgrade to the upstream: the upstream socket is opened first (so a refusal
// reaches the client as an HTTP status), then frames flow both ways unchanged, text and binary,
// with backpressure (a slow reader pauses the other side's socket).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import type { UpstreamTarget } from './upstreamTarget';

const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1024 * 1024;
const MAX_PAYLOAD = 256 * 1024 * 1024;

export interface WsRelayHooks {
  onUpstreamText?(text: string): void;
  onOpen?(): void;
  onClose?(): void;
  /** The upgrade could not be completed; status is what the client was told. */
  onRefused?(status: number): void;
}

/** Close codes a peer may send in a close frame; others (1005, 1006, 1015) are mapped. */
function sendableCode(code: number): number {
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return code === 1005 ? 1000 : 1011;
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: { type: status === 502 ? 'upstream_unavailable' : 'forbidden', message } });
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${status === 502 ? 'Bad Gateway' : 'Upstream Refused'}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Relays `data` from one socket to the other, pausing the source while the destination is backed up. */
function pump(from: WebSocket, to: WebSocket, onText?: (text: string) => void): void {
  let paused = false;
  from.on('message', (data: RawData, isBinary: boolean) => {
    if (to.readyState !== WebSocket.OPEN) return;
    if (!isBinary && onText) onText(data.toString());
    to.send(data, { binary: isBinary }, () => {
      if (paused && to.bufferedAmount < LOW_WATER) {
        paused = false;
        from.resume();
      }
    });
    if (!paused && to.bufferedAmount > HIGH_WATER) {
      paused = true;
      from.pause();
    }
  });
}

export class WsRelay {
  private readonly server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD });
  private readonly open = new Set<WebSocket>();

  constructor(private readonly target: UpstreamTarget) {}

  relay(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    pathAndQuery: string,
    upstreamKey: string | null,
    hooks: WsRelayHooks,
  ): void {
    const scheme = this.target.secure ? 'wss' : 'ws';
    const headers: Record<string, string> = {};
    if (upstreamKey) headers.authorization = `Bearer ${upstreamKey}`;
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const upstream = new WebSocket(`${scheme}://${this.target.hostHeader}${pathAndQuery}`, protocols, {
      headers,
      origin: this.target.origin,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD,
      handshakeTimeout: 10_000,
    });
    // Messages the upstream sends before the client side is ready (ComfyUI's first `status`) wait here.
    const early: { data: RawData; isBinary: boolean }[] = [];
    const holdEarly = (data: RawData, isBinary: boolean) => early.push({ data, isBinary });
    upstream.on('message', holdEarly);

    socket.on('error', () => upstream.terminate());
    // A client gone before the relay is set up (or refused by handleUpgrade) must not leave the upstream open.
    let established = false;
    socket.once('close', () => {
      if (!established) upstream.terminate();
    });
    upstream.on('unexpected-response', (_r, res) => {
      const status = res.statusCode ?? 502;
      hooks.onRefused?.(status);
      refuse(socket, 502, `ComfyUI refused the WebSocket (HTTP ${status}).`);
      upstream.terminate();
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (upstream.readyState === WebSocket.CONNECTING || !this.open.has(upstream)) {
        hooks.onRefused?.(502);
        refuse(socket, 502, `ComfyUI at ${this.target.origin} is not reachable (${err.code ?? err.message}).`);
      }
    });
    upstream.on('open', () => {
      if (socket.destroyed) {
        upstream.close(1001);
        return;
      }
      this.server.handleUpgrade(req, socket, head, (client) => {
        established = true;
        this.open.add(upstream);
        this.open.add(client);
        hooks.onOpen?.();
        upstream.off('message', holdEarly);
        for (const m of early) {
          if (!m.isBinary) hooks.onUpstreamText?.(m.data.toString());
          client.send(m.data, { binary: m.isBinary });
        }
        early.length = 0;
        pump(upstream, client, hooks.onUpstreamText);
        pump(client, upstream);
        let closed = false;
        const finish = () => {
          if (closed) return;
          closed = true;
          this.open.delete(upstream);
          this.open.delete(client);
          hooks.onClose?.();
        };
        upstream.on('close', (code, reason) => {
          if (client.readyState === WebSocket.OPEN) client.close(sendableCode(code), reason);
          else client.terminate();
          finish();
        });
        client.on('close', (code, reason) => {
          if (upstream.readyState === WebSocket.OPEN) upstream.close(sendableCode(code), reason);
          else upstream.terminate();
          finish();
        });
        client.on('error', () => upstream.terminate());
        upstream.on('error', () => client.terminate());
      });
    });
  }

  /** Closes every relayed socket (shutdown, pause). */
  closeAll(code = 1001): void {
    for (const ws of this.open) {
      if (ws.readyState === WebSocket.OPEN) ws.close(code, 'proxy shutting down');
      else ws.terminate();
    }
    this.open.clear();
  }
}
