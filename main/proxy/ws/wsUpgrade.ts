// The WebSocket side of the pipeline (SPEC §2, §8.3, §8.6, §9): Host, Origin, path, admission and the
// client_id owner are all checked before any upstream socket is opened; then the relay runs with the
// router (each job's messages only to its owner's sockets) and the connection is registered so that
// revoking its key or ending its session closes it (1008).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { parseJobMessage, promptIdOf } from '../../jobs/jobMessages';
import { MAX_ID_LENGTH } from '../../jobs/clientIds';
import { ADMIN_OWNER, ownerOf } from '../../jobs/types';
import type { Admit } from '../admission/admission';
import { isDenial } from '../admission/admission';
import { stripQueryCredential } from '../../auth/credentials';
import type { OpenConnections } from '../admission/openConnections';
import { rawResponse } from '../../http/rawResponse';
import { isAllowedHost, isAllowedOrigin } from '../guards/requestGuards';
import { cookieOriginProblem, handshakeProblem } from './wsHandshake';
import type { ProxySharing } from '../sharing/sharingDeps';
import type { Principal } from '../../common/principal';
import type { ProxyObserver, RequestRecord } from '../../common/traffic';
import type { UpstreamPool } from '../forward/upstreamPool';
import type { WsRelay, WsRelayOptions } from './wsRelay';
import { KeyStatusBoard } from './keyStatus';

export interface UpgradeContext {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  admit: Admit;
  relay: WsRelay;
  sharing: ProxySharing;
  pool: UpstreamPool;
  connections: OpenConnections;
  observers: readonly ProxyObserver[];
  now: () => number;
  upstreamKey: () => string | null;
  allowedOrigins: () => readonly string[];
  allowedHosts: () => readonly string[];
  notify: (record: RequestRecord) => void;
  /** Several upstreams (SPEC §10): status merging, queue lengths, lost upstream sockets. */
  wsHooks?: Pick<WsRelayOptions, 'mergeStatus' | 'onStatus' | 'onUpstreamLost'>;
}

/** ComfyUI's terminal-log messages (json.dumps spacing, or compact). */
const LOGS_MESSAGE = /^\{"type": ?"logs"/;

export function handleUpgrade(c: UpgradeContext): void {
  const { req, socket } = c;
  socket.on('error', () => socket.destroy());
  const raw = req.url ?? '/';
  const started = performance.now();
  let url: URL;
  try {
    if (!raw.startsWith('/')) throw new Error('not origin-form');
    url = new URL(`http://proxy${raw}`);
  } catch {
    return rawResponse(socket, 400, 'invalid_request', 'The request target must be a path such as /ws.');
  }
  const record = (status: number, p: Principal | null) =>
    c.notify({ at: c.now(), method: 'GET', path: stripQueryCredential(url), status, durationMs: performance.now() - started, keyId: p?.keyId ?? null, keyName: p?.keyName ?? null, websocket: true });
  const refuse = (status: number, code: string, message: string, p: Principal | null, headers: Record<string, string> = {}) => {
    rawResponse(socket, status, code, message, headers);
    record(status, p);
  };
  // The whole handshake (version, key, one Host) is checked before anything else, never after an upstream socket.
  const malformed = handshakeProblem(req);
  if (malformed) return refuse(malformed.status, malformed.code, malformed.message, null, malformed.headers);
  if (!isAllowedHost(req.headers.host, c.allowedHosts())) return refuse(403, 'forbidden', `Host "${String(req.headers.host ?? '')}" is not allowed.`, null);
  if (!isAllowedOrigin(req.headers.origin, req.headers.host, c.allowedOrigins(), c.allowedHosts())) {
    return refuse(403, 'forbidden', `Cross-origin WebSocket from "${String(req.headers.origin)}" refused.`, null);
  }
  if (url.pathname !== '/ws' && url.pathname !== '/api/ws') return refuse(404, 'not_found', 'Only /ws is relayed.', null);
  const admitted = c.admit(req, url, 'GET');
  if (isDenial(admitted)) {
    // A refused upgrade leaves the session cookie alone: the page's next fetch clears it, and that 401 tells the
    // page why (revoked, expired) for the login page's hint. A socket cannot read its refusal; a fetch can.
    const { 'set-cookie': _cleared, ...headers } = admitted.headers;
    return refuse(admitted.status, admitted.code, admitted.message, admitted.principal ?? null, headers);
  }
  const principal = admitted.principal;
  const noOrigin = cookieOriginProblem(principal, req.headers);
  if (noOrigin) return refuse(noOrigin.status, noOrigin.code, noOrigin.message, principal);
  const owner = ownerOf(principal);
  // A clientId belongs to the first principal that uses it (SPEC §8.3): ComfyUI would hand the old
  // socket's messages to the new one. Without one, the proxy picks it (ComfyUI would, unseen).
  const clientId = url.searchParams.get('clientId') || randomUUID().replaceAll('-', '');
  if (clientId.length > MAX_ID_LENGTH) return refuse(400, 'invalid_request', `clientId is too long (at most ${MAX_ID_LENGTH} characters).`, principal);
  if (!c.sharing.clientIds.claim(clientId, owner)) {
    return refuse(403, 'client_id_in_use', `clientId "${clientId}" is in use by another access key; use your own.`, principal);
  }
  url.searchParams.set('clientId', clientId);
  const path = stripQueryCredential(url);
  const admin = owner === ADMIN_OWNER;
  const ledger = c.sharing.ledger;
  let release: (() => void) | null = null;
  let keyView: ReturnType<KeyStatusBoard['open']> | null = null;

  c.relay.relay(req, socket, c.head, {
    ...c.wsHooks,
    secret: c.sharing.cloudKey,
    clientId,
    upstreams: c.pool.live(),
    path,
    headers: () => {
      const h: Record<string, string> = {};
      const key = c.upstreamKey();
      if (key) h.authorization = `Bearer ${key}`;
      if (principal.comfyUser) h['comfy-user'] = principal.comfyUser;
      return h;
    },
    // A key's queue badge and controls follow its own jobs; admin's follow ComfyUI's whole queue.
    statusView: admin ? undefined : (data) => (keyView ? keyView.view.render(data) : JSON.stringify({ type: 'status', data })),
    deliverText: (upstreamId, text) => {
      // Server logs are admin's (SPEC §8.4): a key's sid never subscribes (serverLogs.ts), and a stray one is dropped.
      if (!admin && LOGS_MESSAGE.test(text)) return false;
      const msg = parseJobMessage(text);
      if (!msg) return true;
      ledger.observeWsMessage(upstreamId, msg, c.now());
      const promptId = promptIdOf(msg);
      return admin || promptId === null || ledger.ownerOfJob(promptId) === owner;
    },
    // Preview frames carry no prompt id: they belong to the job running on that upstream.
    deliverBinary: (upstreamId) => admin || ledger.runningOwner(upstreamId) === owner,
    onOpen: (session) => {
      // Registered for revocation first: an observer that throws must not leave the socket uncut.
      release = c.connections.add({ owner, clientId, recheck: admitted.recheck, close: (why) => session.end(1008, why) });
      if (!admin) keyView = KeyStatusBoard.of(ledger).open(owner, (text) => session.sendToClient(text));
      record(101, principal);
      notifyEach(c.observers, (o) => o.onWsOpen?.({ keyName: principal.keyName }));
    },
    onClose: () => {
      release?.();
      keyView?.close();
      notifyEach(c.observers, (o) => o.onWsClose?.());
    },
    onRefused: (status) => record(status, principal),
  });
}

/** Observers never break the relay. */
function notifyEach(observers: readonly ProxyObserver[], call: (o: ProxyObserver) => void): void {
  for (const o of observers) {
    try {
      call(o);
    } catch {
      /* an observer's fault is its own */
    }
  }
}
