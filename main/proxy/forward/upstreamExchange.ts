// One buffered request/response with an upstream, for the few small JSON routes the proxy must read or
// rewrite (prompt submission, queue, history, interrupt). Everything else is streamed by httpForwarder.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { CompanionError } from '../../common/errors';
import type { UpstreamTarget } from './upstreamTarget';

export interface ExchangeRequest {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer | null;
  /** Largest response body read, bytes (default 64 MiB): beyond it the exchange fails. */
  capBytes?: number;
  /** Connect timeout (default 5 s) and wait for the response head (default 60 s). */
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
}

export interface ExchangeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const DEFAULT_CAP = 64 * 1024 * 1024;

/**
 * Throws CompanionError `upstream_unavailable` (unreachable, reset, too large) or `upstream_timeout`. The socket
 * error is attached as `cause` only when it came before any answer: a retry elsewhere may rely on that.
 */
export function exchange(target: UpstreamTarget, r: ExchangeRequest): Promise<ExchangeResponse> {
  const cap = r.capBytes ?? DEFAULT_CAP;
  const headers: OutgoingHttpHeaders = { ...r.headers, host: target.hostHeader, 'accept-encoding': 'identity' };
  delete headers['transfer-encoding'];
  if (r.body) headers['content-length'] = r.body.length;
  else if (r.method !== 'GET' && r.method !== 'HEAD') headers['content-length'] = 0;
  else delete headers['content-length'];
  return new Promise((resolve, reject) => {
    const fail = (err: CompanionError) => {
      req.destroy();
      reject(err);
    };
    const req = target.request({ hostname: target.hostname, port: target.port, method: r.method, path: r.path, headers, agent: target.agent });
    // Started before a socket is assigned: waiting for a free pooled socket counts as connecting.
    const connectTimer = setTimeout(
      () => fail(new CompanionError('upstream_timeout', `ComfyUI at ${target.origin} did not accept a connection within ${(r.connectTimeoutMs ?? 5000) / 1000} s.`)),
      r.connectTimeoutMs ?? 5000,
    );
    let responseTimer: NodeJS.Timeout | null = null;
    let answered = false;
    req.on('socket', (socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        responseTimer = setTimeout(
          () => fail(new CompanionError('upstream_timeout', `ComfyUI at ${target.origin} did not answer within ${(r.responseTimeoutMs ?? 60_000) / 1000} s.`)),
          r.responseTimeoutMs ?? 60_000,
        );
      };
      if (socket.connecting) socket.once('connect', connected);
      else connected();
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      if (responseTimer) clearTimeout(responseTimer);
      if (err instanceof CompanionError) reject(err);
      // Node reports a reset after the response head on the request too: that is an answer cut short.
      else if (answered) reject(new CompanionError('upstream_unavailable', `ComfyUI at ${target.origin} closed the connection mid-answer.`));
      else reject(new CompanionError('upstream_unavailable', `ComfyUI at ${target.origin} is not reachable (${err.code ?? err.message}).`, { cause: err }));
    });
    req.on('response', (res) => {
      answered = true;
      clearTimeout(connectTimer);
      // The response timer runs on until the body has ended: these answers are small, and one that stalls
      // half-way must not hold the request (and its fair-lane slot) forever.
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > cap) fail(new CompanionError('upstream_unavailable', `ComfyUI's answer to ${r.method} ${r.path} was larger than ${cap} bytes.`));
        else chunks.push(chunk);
      });
      res.on('error', () => {
        if (responseTimer) clearTimeout(responseTimer);
        reject(new CompanionError('upstream_unavailable', `ComfyUI at ${target.origin} closed the connection mid-answer.`));
      });
      res.on('end', () => {
        if (responseTimer) clearTimeout(responseTimer);
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(r.body ?? undefined);
  });
}

/** Parses a JSON body; null when it is not JSON. */
export function jsonOf(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
}
