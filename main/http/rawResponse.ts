// An error answer written straight to a socket: for malformed HTTP and refused WebSocket upgrades,
// where there is no ServerResponse. Same JSON error shape as every other refusal; the socket is closed.
import http from 'node:http';
import type { Duplex } from 'node:stream';

export function rawResponse(socket: Duplex, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: { type: code, message } });
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
