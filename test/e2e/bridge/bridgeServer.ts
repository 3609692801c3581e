// Test-only server for the e2e runs: serves the BUILT renderer (dist/renderer) and a bridge that
// stands in for Electron IPC — POST /__bridge/invoke runs the real handlers through invokeHandler,
// WS /__bridge/events pushes CompanionEvents. The page's CSP is kept, except connect-src is widened
// to 'self' so the bridge's own fetch/WebSocket (Electron uses IPC instead) may reach this origin.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { extname, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { invokeHandler } from '../../../main/api/companionApi';
import type { Channel, CompanionEvent, ContractHandlers, IpcResult } from '../../../preload/contract';

const ROOT = fileURLToPath(new URL('../../../dist/renderer/', import.meta.url));
const BRIDGE_JS = fileURLToPath(new URL('./companionBridge.browser.js', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface BridgeServer {
  url: string;
  /** Every channel invoked, in order (to assert the UI talks only through the contract). */
  calls: Channel[];
  emit(event: CompanionEvent): void;
  /** Calls a channel the way the page does (validation, error mapping), without the page. */
  invoke(channel: Channel, req?: unknown): Promise<IpcResult<unknown>>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startBridgeServer(handlers: ContractHandlers): Promise<BridgeServer> {
  const calls: Channel[] = [];
  const sockets = new Set<WebSocket>();

  const serveStatic = async (pathname: string, res: ServerResponse) => {
    const rel = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^([/\\])+/, '');
    const file = resolve(ROOT, rel);
    if (!file.startsWith(ROOT.endsWith(sep) ? ROOT : ROOT + sep)) return void res.writeHead(403).end();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return void res.writeHead(404).end('not found');
    }
    if (extname(file) === '.html') {
      const html = body
        .toString('utf8')
        .replace("connect-src 'none'", "connect-src 'self'")
        .replace('<head>', '<head>\n    <script src="./__bridge/bridge.js"></script>');
      body = Buffer.from(html);
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    void (async () => {
      if (url.pathname === '/__bridge/bridge.js') {
        res.writeHead(200, { 'content-type': TYPES['.js'] as string }).end(await readFile(BRIDGE_JS));
      } else if (url.pathname === '/__bridge/invoke' && req.method === 'POST') {
        const { channel, req: payload } = JSON.parse(await readBody(req)) as { channel: Channel; req: unknown };
        calls.push(channel);
        const result = await invokeHandler(handlers, channel, payload);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } else if (req.method === 'GET') {
        await serveStatic(url.pathname, res);
      } else res.writeHead(405).end();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const wss = new WebSocketServer({ server, path: '/__bridge/events' });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    calls,
    emit(event) {
      const text = JSON.stringify(event);
      for (const ws of sockets) ws.send(text);
    },
    invoke: (channel, req) => invokeHandler(handlers, channel, req) as Promise<IpcResult<unknown>>,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const RENDERER_DIR = ROOT;
