// The auth proxy: every request passes Host and Origin checks, authentication, scope and rate limit
// (SPEC §2), then is answered by a local route or streamed to the upstream ComfyUI (SPEC §3).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { CompanionError } from '../errors';
import { createAdmission, isDenial } from './admission';
import { apiKeyRedirectTarget } from './apiKeyRedirect';
import { stripQueryCredential } from './credentials';
import { HealthCheck } from './health';
import { forwardHttp } from './httpForwarder';
import { ANONYMOUS_LANE, DEFAULT_IN_FLIGHT, InFlightGate, laneOf, type InFlightLimits } from './inFlightGate';
import { isLoopbackHost } from './listenAddress';
import { isAllowedHost, isAllowedOrigin, needsOriginCheck } from './requestGuards';
import { redirect, sendCompanionError, sendError, sendJson } from './respond';
import { isBrowserNavigation, isExemptRoute } from './routePolicy';
import { duplicateHostProblem } from './singleHost';
import type {
  KeyAuthenticator,
  LocalRoute,
  Principal,
  ProxyObserver,
  RateLimiter,
  RequestRecord,
  SessionAuthenticator,
} from './types';
import { createUpstreamTarget } from './upstreamTarget';
import { DEFAULT_TIMEOUTS, type UpstreamTimeouts } from './upstreamTimeouts';
import { cookieOriginProblem, handshakeProblem } from './wsHandshake';
import { WsRelay } from './wsRelay';

export interface ProxyOptions {
  upstream: string;
  listenHost: string;
  listenPort: number;
  keys: KeyAuthenticator;
  sessions?: SessionAuthenticator;
  rateLimiter?: RateLimiter;
  observers?: ProxyObserver[];
  routes?: LocalRoute[];
  upstreamKey?: () => string | null;
  cloudKey?: () => string | null;
  allowedOrigins?: () => readonly string[];
  /** A tag added to the UI page (e.g. the login helper script), or null. */
  htmlInjection?: string | null;
  version: string;
  now?: () => number;
  /** Wait for the upstream's response head after the request was sent (`--upstream-timeout`, default 60 s). */
  upstreamTimeoutMs?: number;
  /** Connect and stall timeouts (tests shorten them). */
  timeouts?: Partial<UpstreamTimeouts>;
  /** Per-principal in-flight limits (tests shrink them). */
  inFlight?: Partial<InFlightLimits>;
}

export interface RunningProxy {
  url: string;
  host: string;
  port: number;
  health: HealthCheck;
  /** Upstream requests in flight and waiting for a slot (inFlightGate.ts). */
  inFlight(): { active: number; waiting: number; lanes: number };
  /** Stops accepting, lets in-flight requests finish (bounded by graceMs), closes sockets. */
  close(graceMs?: number): Promise<void>;
}

const LOGIN_PAGE = '/auth_login.html';

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  if (!isLoopbackHost(options.listenHost)) {
    throw new Error(`refusing to listen on "${options.listenHost}": only loopback addresses are allowed`);
  }
  const target = createUpstreamTarget(options.upstream);
  const now = options.now ?? Date.now;
  const upstreamKey = options.upstreamKey ?? (() => null);
  const cloudKey = options.cloudKey ?? (() => null);
  const allowedOrigins = options.allowedOrigins ?? (() => []);
  const observers = options.observers ?? [];
  const routes = options.routes ?? [];
  const sessions = options.sessions ?? null;
  const relay = new WsRelay(target);
  const timeouts: UpstreamTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  if (options.upstreamTimeoutMs !== undefined) timeouts.responseMs = options.upstreamTimeoutMs;
  const gate = new InFlightGate({ ...DEFAULT_IN_FLIGHT, maxWaitMs: timeouts.responseMs, ...options.inFlight });
  const health = new HealthCheck(target, { version: options.version, startedAt: now(), upstreamKey, now });
  let port = options.listenPort;
  let proxyOrigin = '';

  const healthRoute: LocalRoute = {
    methods: ['GET', 'HEAD'],
    path: '/health',
    auth: 'public',
    async handle({ res }) {
      const report = await health.report();
      sendJson(res, report.status === 'down' ? 503 : 200, report);
    },
  };
  const allRoutes = [healthRoute, ...routes];
  const findRoute = (method: string, pathname: string): LocalRoute | undefined =>
    allRoutes.find(
      (r) => r.methods.includes(method) && (typeof r.path === 'string' ? r.path === pathname : r.path.test(pathname)),
    );

  const notify = (record: RequestRecord) => {
    for (const o of observers) {
      try {
        o.onRequest?.(record);
      } catch {
        /* an observer must never break the request path */
      }
    }
  };

  const admit = createAdmission({ keys: options.keys, sessions, rateLimiter: options.rateLimiter ?? null, now });

  const loginRedirect = (res: ServerResponse, url: URL, extra: Record<string, string> = {}, reason?: string) => {
    const next = encodeURIComponent(stripQueryCredential(url));
    redirect(res, `${LOGIN_PAGE}?next=${next}${reason ? `&reason=${encodeURIComponent(reason)}` : ''}`, extra);
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    let principal: Principal | null = null;
    let loggedPath = raw.split('?')[0] ?? '/';
    res.once('close', () => {
      notify({
        at: now(),
        method,
        path: loggedPath,
        status: res.headersSent ? res.statusCode : 499,
        durationMs: performance.now() - started,
        keyId: principal?.keyId ?? null,
        keyName: principal?.keyName ?? null,
      });
    });
    if (!raw.startsWith('/')) {
      sendError(res, 'invalid_request', 'The request target must be a path such as /prompt.');
      return;
    }
    let url: URL;
    try {
      url = new URL(`http://proxy${raw}`);
    } catch {
      sendError(res, 'invalid_request', 'The request path could not be parsed.');
      return;
    }
    loggedPath = stripQueryCredential(url);
    const hostProblem = duplicateHostProblem(req.rawHeaders);
    if (hostProblem) {
      sendError(res, 'invalid_request', hostProblem);
      return;
    }
    if (!isAllowedHost(req.headers.host, port)) {
      sendError(res, 'forbidden', `Host "${String(req.headers.host ?? '')}" is not allowed; use ${proxyOrigin}.`);
      return;
    }
    if (needsOriginCheck(method) && !isAllowedOrigin(req.headers.origin, port, allowedOrigins())) {
      sendError(res, 'forbidden', `Cross-origin request from "${String(req.headers.origin)}" refused.`);
      return;
    }
    const navigation = isBrowserNavigation(method, req.headers);
    const route = findRoute(method, url.pathname);
    const ctx = { req, res, url, proxyOrigin, clientAddress: req.socket.remoteAddress ?? '' };
    if (route?.auth === 'public') {
      await route.handle({ ...ctx, principal: null });
      return;
    }
    const plan = {
      pathAndQuery: loggedPath,
      pathname: url.pathname,
      upstreamKey: upstreamKey(),
      cloudKey: cloudKey(),
      htmlInjection: options.htmlInjection ?? null,
      responseHeaders: {} as Record<string, string>,
      proxyOrigin,
      sessionCookieName: sessions?.cookieName ?? null,
      browserNavigation: navigation,
      timeouts,
    };
    if (!route && isExemptRoute(method, url.pathname, raw)) {
      gate.run(ANONYMOUS_LANE, res, navigation, () => forwardHttp(target, req, res, plan));
      return;
    }
    const admitted = admit(req, url, method);
    if (isDenial(admitted)) {
      principal = admitted.principal ?? null;
      if (admitted.status === 401 && navigation) {
        const reason = admitted.reason === 'revoked' || admitted.reason === 'expired' ? admitted.reason : undefined;
        loginRedirect(res, url, admitted.headers['set-cookie'] ? { 'set-cookie': admitted.headers['set-cookie'] } : {}, reason);
      } else {
        sendError(res, admitted.code, admitted.message, admitted.headers, admitted.status);
      }
      return;
    }
    principal = admitted.principal;
    if (admitted.fromQuery && navigation && sessions) {
      // Trade the key in the address bar for a session, so it never stays in history.
      const { setCookie } = sessions.createSession(principal, { remember: false });
      redirect(res, apiKeyRedirectTarget(url), { 'set-cookie': setCookie });
      return;
    }
    if (route) {
      if (route.auth === 'admin' && !principal.scopes.includes('admin')) {
        sendError(res, 'forbidden', 'This route needs a key with the admin scope.');
        return;
      }
      for (const [k, v] of Object.entries(admitted.headers)) res.setHeader(k, v);
      await route.handle({ ...ctx, principal });
      return;
    }
    plan.responseHeaders = admitted.headers;
    gate.run(laneOf(principal), res, navigation, () => forwardHttp(target, req, res, plan));
  };

  const writeRaw = (socket: Duplex, status: number, code: string, message: string, headers: Record<string, string> = {}) => {
    const body = JSON.stringify({ error: { type: code, message } });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const raw = req.url ?? '/';
    const started = performance.now();
    let url: URL;
    try {
      if (!raw.startsWith('/')) throw new Error('not origin-form');
      url = new URL(`http://proxy${raw}`);
    } catch {
      writeRaw(socket, 400, 'invalid_request', 'The request target must be a path such as /ws.');
      return;
    }
    const record = (status: number, p: Principal | null) =>
      notify({ at: now(), method: 'GET', path: stripQueryCredential(url), status, durationMs: performance.now() - started, keyId: p?.keyId ?? null, keyName: p?.keyName ?? null, websocket: true });
    const malformed = handshakeProblem(req);
    if (malformed) {
      writeRaw(socket, malformed.status, malformed.code, malformed.message, malformed.headers);
      record(malformed.status, null);
      return;
    }
    if (!isAllowedHost(req.headers.host, port)) {
      writeRaw(socket, 403, 'forbidden', `Host "${String(req.headers.host ?? '')}" is not allowed.`);
      record(403, null);
      return;
    }
    if (!isAllowedOrigin(req.headers.origin, port, allowedOrigins())) {
      writeRaw(socket, 403, 'forbidden', `Cross-origin WebSocket from "${String(req.headers.origin)}" refused.`);
      record(403, null);
      return;
    }
    if (url.pathname !== '/ws' && url.pathname !== '/api/ws') {
      writeRaw(socket, 404, 'not_found', 'Only /ws is relayed.');
      record(404, null);
      return;
    }
    const admitted = admit(req, url, 'GET');
    if (isDenial(admitted)) {
      writeRaw(socket, admitted.status, admitted.code, admitted.message, admitted.headers);
      record(admitted.status, admitted.principal ?? null);
      return;
    }
    const principal = admitted.principal;
    const noOrigin = cookieOriginProblem(principal, req.headers);
    if (noOrigin) {
      writeRaw(socket, noOrigin.status, noOrigin.code, noOrigin.message);
      record(noOrigin.status, principal);
      return;
    }
    relay.relay(req, socket, head, stripQueryCredential(url), upstreamKey(), {
      onUpstreamText: (text) => {
        for (const o of observers) {
          try {
            o.onUpstreamWsText?.(text);
          } catch {
            /* observers never break the relay */
          }
        }
      },
      onOpen: () => {
        record(101, principal);
        for (const o of observers) o.onWsOpen?.({ keyName: principal.keyName });
      },
      onClose: () => {
        for (const o of observers) o.onWsClose?.();
      },
      onRefused: (status) => record(status === 502 ? 502 : status, principal),
    });
  };

  // requestTimeout 0: node's 300 s cap on receiving a whole request would cut a large upload over a slow
  // tunnel; a stalled upload is cut by the forwarder instead (upstreamTimeouts.ts). Headers still get 60 s.
  const server = http.createServer({ maxHeaderSize: 16 * 1024, keepAliveTimeout: 5_000, requestTimeout: 0 }, (req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      if (err instanceof CompanionError) sendCompanionError(res, err);
      else if (!res.headersSent) sendError(res, 'internal', 'The proxy could not handle this request.');
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    try {
      handleUpgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const message =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? 'Request headers are too large (limit 16 KiB).'
        : `Malformed HTTP request (${err.code ?? 'parse error'}); check Content-Length, Transfer-Encoding and header syntax.`;
    writeRaw(socket, 400, 'invalid_request', message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort, options.listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : options.listenPort;
  const hostForUrl = options.listenHost.includes(':') ? `[${options.listenHost}]` : options.listenHost;
  proxyOrigin = `http://${hostForUrl}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url: proxyOrigin,
    host: options.listenHost,
    port,
    health,
    inFlight: () => gate.stats(),
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          target.close();
          resolve();
        });
        server.closeIdleConnections();
        relay.closeAll();
      });
      return closing;
    },
  };
}
