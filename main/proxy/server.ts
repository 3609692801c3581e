// The auth proxy. Every HTTP request runs these steps in order (SPEC §2, §3, §8): request frame and Host,
// Origin, public routes, exempt static assets, admission (authentication, scope, admin-only routes,
// control plane, requests quota), the proxy's own routes, the sharing rules, then the upstream.
// WebSocket upgrades take the same steps in wsUpgrade.ts.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { JobLedger } from '../jobs/jobLedger';
import { ownerOf } from '../jobs/types';
import { createAdmission, isDenial } from './admission/admission';
import { answerFailure } from './forward/answerFailure';
import { apiKeyRedirectTarget, redirectToLogin } from '../auth/login/loginRedirects';
import { stripQueryCredential } from '../auth/credentials';
import { forwardHttp, upstreamRequestHeaders, type ForwardPlan } from './forward/httpForwarder';
import { ANONYMOUS_LANE, DEFAULT_IN_FLIGHT, InFlightGate, laneOf, type InFlightLimits } from './admission/inFlightGate';
import { isLoopbackHost } from '../http/listenAddress';
import { OpenConnections } from './admission/openConnections';
import { memoByString } from './guards/pathMemo';
import { isAllowedHost, isAllowedOrigin, needsOriginCheck } from './guards/requestGuards';
import { refusal, requestNotifier } from './requestObservers';
import { redirect, sendError } from '../http/respond';
import { isBrowserNavigation, isExemptRoute } from './guards/routePolicy';
import { duplicateHostProblem } from './guards/singleHost';
import { createSharingDeps, type QueueOrderMode } from './sharing/sharingDeps';
import { sharingStep, type SharingOutcome } from './sharing/sharingStep';
import type { KeyAuthenticator, Principal, SessionAuthenticator } from '../common/principal';
import type { LocalRoute } from '../http/localRoute';
import type { ProxyObserver } from '../common/traffic';
import type { RateLimiter } from '../common/rateLimit';
import { UpstreamPool } from './forward/upstreamPool';
import type { UpstreamTarget } from './forward/upstreamTarget';
import { healthRoute } from './upstreams/poolHealth';
import type { WatcherTimings } from './upstreams/upstreamHealth';
import { createUpstreamRouting } from './upstreams/upstreamRouting';
import { DEFAULT_TIMEOUTS, type UpstreamTimeouts } from './forward/upstreamTimeouts';
import { handleUpgrade } from './ws/wsUpgrade';
import type { RunningProxy } from './runningProxy';
import { listenOn } from './listenOn';
import { SlowClients } from './slowClients';
import { WsRelay } from './ws/wsRelay';

export interface ProxyOptions {
  /** One upstream URL, or several (SPEC §10). */
  upstream: string | readonly string[];
  listenHost: string;
  listenPort: number;
  keys: KeyAuthenticator;
  sessions?: SessionAuthenticator;
  rateLimiter?: RateLimiter;
  /** The job ledger (persisted by its owner); an in-memory one when omitted. */
  ledger?: JobLedger;
  observers?: ProxyObserver[];
  routes?: LocalRoute[];
  upstreamKey?: () => string | null;
  cloudKey?: () => string | null;
  /** A key's GPU seconds this UTC day, for `gpu_seconds_per_day` (the proxy stack reads usage). */
  gpuSecondsToday?: (keyId: string) => number;
  allowedOrigins?: () => readonly string[];
  /** Host names besides loopback that may reach the proxy (tunnels), SPEC §2.1. */
  allowedHosts?: () => readonly string[];
  /** Folders of ComfyUI's input folder that keys share besides its top level (SPEC §8.3 private uploads). */
  sharedInputFolders?: () => readonly string[];
  /** Wait for the upstream's response head after the request was sent (`--upstream-timeout`, default 60 s). */
  upstreamTimeoutMs?: number;
  /** Connect and stall timeouts (tests shorten them). */
  timeouts?: Partial<UpstreamTimeouts>;
  /** Per-principal in-flight limits (tests shrink them). */
  inFlight?: Partial<InFlightLimits>;
  /** Several upstreams (SPEC §10): the health watcher's cadence (tests shorten it); a log line per upstream event. */
  upstreamHealth?: Partial<WatcherTimings>;
  onUpstreamEvent?: (message: string) => void;
  queueOrder?: QueueOrderMode; // 'fair' (SPEC §12, the default); 'fifo' = ComfyUI's own order, the benchmark's "before"
  /** Slow clients (SPEC §9): how long a request head may take (default 30 s; tests shorten it), a log line on closes. */
  slowClients?: { headTimeoutMs?: number; log?: (message: string) => void };
  /** A tag added to the UI page (e.g. the login helper script), or null. */
  htmlInjection?: string | null;
  version: string;
  now?: () => number;
}

export type { RunningProxy } from './runningProxy';

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  if (!isLoopbackHost(options.listenHost)) {
    throw new Error(`refusing to listen on "${options.listenHost}": only loopback addresses are allowed`);
  }
  const pool = new UpstreamPool(typeof options.upstream === 'string' ? [options.upstream] : options.upstream);
  const now = options.now ?? Date.now;
  const upstreamKey = options.upstreamKey ?? (() => null);
  const allowedOrigins = options.allowedOrigins ?? (() => []);
  const allowedHosts = options.allowedHosts ?? (() => []);
  const observers = options.observers ?? [];
  const sessions = options.sessions ?? null;
  const ledger = options.ledger ?? new JobLedger();
  const connections = new OpenConnections();
  const relay = new WsRelay();
  const timeouts: UpstreamTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  if (options.upstreamTimeoutMs !== undefined) timeouts.responseMs = options.upstreamTimeoutMs;
  const gate = new InFlightGate({ ...DEFAULT_IN_FLIGHT, maxWaitMs: timeouts.responseMs, ...options.inFlight });
  const routing = createUpstreamRouting({ pool, ledger, relay, upstreamKey, now, timeouts, log: options.onUpstreamEvent ?? (() => {}), watcher: options.upstreamHealth });
  const health = routing.health(options.version, now());
  const { cloudKey, gpuSecondsToday, sharedInputFolders } = options;
  const sharing = createSharingDeps({ ledger, pool, connections, limiter: options.rateLimiter ?? null, cloudKey, gpuSecondsToday, sharedInputFolders, upstreamKey, upstreamTimeoutMs: timeouts.responseMs, now, routing, queueOrder: options.queueOrder });
  const admit = createAdmission({ keys: options.keys, sessions, rateLimiter: options.rateLimiter ?? null, now });
  let proxyOrigin = '';

  const allRoutes = [healthRoute(health), ...(options.routes ?? [])];
  // The route list is fixed once started: which one (if any) answers a method and path is remembered.
  const routeFor = memoByString((methodAndPath: string): LocalRoute | undefined => {
    const [method = '', pathname = ''] = methodAndPath.split(' ');
    return allRoutes.find((r) => r.methods.includes(method) && (typeof r.path === 'string' ? r.path === pathname : r.path.test(pathname)));
  });

  const notify = requestNotifier(observers);

  /** Synchronous up to the upstream; a route's or a rule's later failure is answered by answerFailure. */
  const handleRequest = (req: IncomingMessage, res: ServerResponse): void | Promise<void> => {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const raw = req.url ?? '/';
    routing.watcher.poke();
    let principal: Principal | null = null;
    const q = raw.indexOf('?');
    let loggedPath = q < 0 ? raw : raw.slice(0, q);
    let unregister: (() => void) | null = null;
    // One listener per response ('close' comes once): the request log and the revocation registration.
    res.on('close', () => {
      unregister?.();
      const status = res.headersSent ? res.statusCode : 499;
      notify({ at: now(), method, path: loggedPath, status, durationMs: performance.now() - started, keyId: principal?.keyId ?? null, keyName: principal?.keyName ?? null, ...(status === 429 ? refusal(res) : {}) });
    });
    // 1. Request frame and Host.
    if (!raw.startsWith('/')) return sendError(res, 'invalid_request', 'The request target must be a path such as /prompt.');
    let url: URL;
    try {
      url = new URL(`http://proxy${raw}`);
    } catch {
      return sendError(res, 'invalid_request', 'The request path could not be parsed.');
    }
    loggedPath = stripQueryCredential(url);
    const hostProblem = duplicateHostProblem(req.rawHeaders);
    if (hostProblem) return sendError(res, 'invalid_request', hostProblem);
    if (!isAllowedHost(req.headers.host, allowedHosts())) {
      return sendError(res, 'forbidden', `Host "${String(req.headers.host ?? '')}" is not allowed; use ${proxyOrigin} or add the name to allowed hosts.`);
    }
    // 2. Origin.
    if (needsOriginCheck(method) && !isAllowedOrigin(req.headers.origin, req.headers.host, allowedOrigins(), allowedHosts())) {
      return sendError(res, 'forbidden', `Cross-origin request from "${String(req.headers.origin)}" refused.`);
    }
    const ownOrigin = `http://${req.headers.host ?? ''}`;
    const navigation = isBrowserNavigation(method, req.headers);
    const route = routeFor(`${method} ${url.pathname}`);
    const ctx = (principal: Principal | null) => ({ req, res, url, proxyOrigin: ownOrigin, clientAddress: req.socket.remoteAddress ?? '', principal });
    // 3. Public routes.
    if (route?.auth === 'public') return route.handle(ctx(null));
    const plan: ForwardPlan = {
      pathAndQuery: loggedPath,
      pathname: url.pathname,
      upstreamKey: upstreamKey(),
      cloudKey: options.cloudKey?.() ?? null,
      htmlInjection: options.htmlInjection ?? null,
      responseHeaders: {},
      proxyOrigin: ownOrigin,
      sessionCookieName: sessions?.cookieName ?? null,
      comfyUser: null,
      browserNavigation: navigation,
      timeouts,
    };
    // 4. Exempt static assets.
    if (!route && isExemptRoute(method, url.pathname, raw)) {
      return gate.run(ANONYMOUS_LANE, res, navigation, () => forwardHttp(sharing.upstreamFor(url).target, req, res, plan));
    }
    // 5. Admission: authentication, scope, admin-only routes, control plane, requests per minute.
    const admitted = admit(req, url, method);
    if (isDenial(admitted)) {
      principal = admitted.principal ?? null;
      if (admitted.status === 401 && navigation) {
        const reason = admitted.reason === 'revoked' || admitted.reason === 'expired' ? admitted.reason : undefined;
        return redirectToLogin(res, url, admitted.headers['set-cookie'] ? { 'set-cookie': admitted.headers['set-cookie'] } : {}, reason);
      }
      return sendError(res, admitted.code, admitted.message, admitted.headers, admitted.status);
    }
    const who = admitted.principal;
    principal = who;
    if (admitted.fromQuery && navigation && sessions) {
      // Trade the key in the address bar for a session, so it never stays in history.
      const { setCookie } = sessions.createSession(who, { remember: false });
      return redirect(res, apiKeyRedirectTarget(url), { 'set-cookie': setCookie });
    }
    // 6. The proxy's own routes.
    if (route) {
      if (route.auth === 'admin' && !who.scopes.includes('admin')) return sendError(res, 'forbidden', 'This route needs a key with the admin scope.');
      for (const [k, v] of Object.entries(admitted.headers)) res.setHeader(k, v);
      return route.handle(ctx(who));
    }
    // 7. Sharing rules; 8. the upstream, in the principal's fair lane. Long answers are cut when the
    // credential stops working.
    plan.comfyUser = who.comfyUser;
    plan.responseHeaders = admitted.headers;
    const owner = ownerOf(who);
    unregister = connections.add({ owner, recheck: admitted.recheck, close: () => res.destroy() });
    const forward = (outcome: SharingOutcome): void => {
      if (outcome.kind === 'answered') return;
      plan.pathAndQuery = outcome.pathAndQuery;
      plan.fileHeaders = outcome.fileHeaders;
      plan.body = outcome.body;
      plan.onJsonAnswer = outcome.onAnswer;
      forwardHttp((outcome.upstream ?? sharing.upstreamFor(url)).target, req, res, plan);
    };
    const fail = (err: unknown): void => answerFailure(res, err);
    const sharingRequest = {
      req, res, url, principal: who, owner, admin: who.kind === 'admin',
      upstreamHeaders: (target: UpstreamTarget) => upstreamRequestHeaders(req, target, plan),
      responseHeaders: admitted.headers,
      requests: admitted.requests,
    };
    gate.run(laneOf(who), res, navigation, () => {
      try {
        // A plain forward is decided at once; the rules that read or rewrite an exchange answer later.
        const outcome = sharingStep(sharing, sharingRequest, loggedPath);
        if (outcome instanceof Promise) outcome.then(forward).catch(fail);
        else forward(outcome);
      } catch (err) {
        fail(err);
      }
    });
  };

  // Heads within 30 s (slowloris), bodies as long as they progress: slowClients.ts.
  const slowClients = new SlowClients(options.slowClients?.headTimeoutMs, options.slowClients?.log, now);
  const server = http.createServer({ maxHeaderSize: 16 * 1024, keepAliveTimeout: 5_000, ...slowClients.serverOptions }, (req, res) => {
    try {
      const handled = handleRequest(req, res);
      if (handled instanceof Promise) handled.catch((err: unknown) => answerFailure(res, err));
    } catch (err) {
      answerFailure(res, err);
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      routing.watcher.poke();
      handleUpgrade({ req, socket, head, admit, relay, sharing, pool, connections, observers, now, upstreamKey, allowedOrigins, allowedHosts, notify, wsHooks: routing.ws });
    } catch {
      socket.destroy();
    }
  });
  server.on('clientError', slowClients.onClientError);

  const { port, origin } = await listenOn(server, options.listenHost, options.listenPort);
  proxyOrigin = origin;
  routing.watcher.start();

  let closing: Promise<void> | null = null;
  return {
    url: proxyOrigin,
    host: options.listenHost,
    port,
    health,
    ledger,
    upstreams: pool,
    upstreamStatus: () => routing.watcher.statuses(),
    onUpstreamChange: (listener) => routing.watcher.subscribe(listener),
    connections,
    settler: sharing.settler,
    inFlight: () => gate.stats(),
    slowClientsClosed: () => slowClients.total,
    close(graceMs = 5_000) {
      closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          routing.close();
          sharing.settler.stop();
          slowClients.close();
          if (!options.ledger) ledger.close();
          resolve();
        });
        server.closeIdleConnections();
        relay.closeAll();
      });
      return closing;
    },
  };
}
