// Streams one HTTP request to the upstream and its response back: credentials stripped, upstream key
// injected, Host/Origin rewritten, backpressure through pipe, client abort cancels the upstream call.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { collectUpTo, injectIntoHtml, replaceAllStream } from './bodyTransforms';
import { withoutCookie } from './credentials';
import { sendError, sendHtmlError } from './respond';
import type { UpstreamTarget } from './upstreamTarget';
import { cutWhenStalled, describeUpstreamFailure, StalledTransferError, watchUpstreamRequest, type UpstreamTimeouts } from './upstreamTimeouts';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);
const HTML_INJECTION_CAP_BYTES = 4 * 1024 * 1024;

/** What shapes the headers sent upstream for one request. */
export interface UpstreamHeaderOptions {
  upstreamKey: string | null;
  sessionCookieName: string | null;
  /** The `comfy-user` the principal's key carries; the client's own header is never forwarded. */
  comfyUser: string | null;
}

export interface ForwardPlan extends UpstreamHeaderOptions {
  /** Path and query as forwarded: credential-free. */
  pathAndQuery: string;
  pathname: string;
  cloudKey: string | null;
  /** A tag to add to the UI's page (`/`, `/index.html`), or null. */
  htmlInjection: string | null;
  /** Extra response headers (RateLimit). */
  responseHeaders: Record<string, string>;
  /** The request's own origin (http:// + its Host): where upstream redirects are pointed back to. */
  proxyOrigin: string;
  browserNavigation: boolean;
  /** Adds the served-file headers (SPEC §8.7) to a `/view` or `/userdata` answer. */
  fileHeaders?: ((headers: OutgoingHttpHeaders) => void) | null;
  timeouts: UpstreamTimeouts;
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(text.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

export function upstreamRequestHeaders(req: IncomingMessage, target: UpstreamTarget, plan: UpstreamHeaderOptions): OutgoingHttpHeaders {
  const drop = connectionTokens(req.headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    switch (name) {
      case 'host':
      case 'authorization':
      case 'x-api-key':
      case 'comfy-user':
        continue;
      case 'cookie': {
        const kept = plan.sessionCookieName ? withoutCookie(String(value), plan.sessionCookieName) : String(value);
        if (kept) out.cookie = kept;
        continue;
      }
      case 'origin':
        out.origin = target.origin;
        continue;
      case 'referer':
        // A Referer could carry ?api_key= from a page address; the upstream never needs it.
        if (!String(value).includes('api_key')) out.referer = String(value);
        continue;
      default:
        out[name] = value;
    }
  }
  out.host = target.hostHeader;
  if (plan.upstreamKey) out.authorization = `Bearer ${plan.upstreamKey}`;
  if (plan.comfyUser) out['comfy-user'] = plan.comfyUser;
  return out;
}

function clientResponseHeaders(
  upHeaders: IncomingMessage['headers'],
  target: UpstreamTarget,
  plan: ForwardPlan,
): OutgoingHttpHeaders {
  const drop = connectionTokens(upHeaders.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upHeaders)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    if (name === 'location' && typeof value === 'string' && value.startsWith(target.origin)) {
      out.location = plan.proxyOrigin + value.slice(target.origin.length);
      continue;
    }
    out[name] = value;
  }
  const headers = { ...out, ...plan.responseHeaders };
  plan.fileHeaders?.(headers);
  return headers;
}

function isUiPage(method: string, pathname: string): boolean {
  return method === 'GET' && (pathname === '/' || pathname === '/index.html');
}

export function forwardHttp(target: UpstreamTarget, req: IncomingMessage, res: ServerResponse, plan: ForwardPlan): void {
  const method = req.method ?? 'GET';
  const headers = upstreamRequestHeaders(req, target, plan);
  const injectHtml = plan.htmlInjection !== null && isUiPage(method, plan.pathname);
  const redactKey = plan.cloudKey !== null && method !== 'HEAD';
  // Rewritten bodies must arrive uncompressed; nothing else touches the client's Accept-Encoding.
  if (injectHtml || redactKey) headers['accept-encoding'] = 'identity';

  const upReq = target.request({
    hostname: target.hostname,
    port: target.port,
    method,
    path: plan.pathAndQuery,
    headers,
    agent: target.agent,
  });
  watchUpstreamRequest(upReq, plan.timeouts);

  let clientGone = false;
  res.on('close', () => {
    if (!res.writableFinished) {
      clientGone = true;
      upReq.destroy();
    }
  });

  upReq.on('error', (err: NodeJS.ErrnoException) => {
    if (clientGone) return;
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    const failure = describeUpstreamFailure(err, target.origin);
    if (plan.browserNavigation) sendHtmlError(res, failure.status, failure.title, failure.detail);
    else sendError(res, failure.code, failure.detail, failure.headers, failure.status);
  });

  upReq.on('response', (upRes) => {
    cutWhenStalled(upRes, plan.timeouts.stallMs, () => upReq.destroy(new StalledTransferError('download', plan.timeouts.stallMs)));
    const status = upRes.statusCode ?? 502;
    const outHeaders = clientResponseHeaders(upRes.headers, target, plan);
    const type = String(upRes.headers['content-type'] ?? '');
    const encoded = upRes.headers['content-encoding'] !== undefined && upRes.headers['content-encoding'] !== 'identity';
    // pipe() rather than pipeline(): pipeline allocates an AbortController (and a DOMException on
    // every finish), measurable on small responses; errors are handled by hand instead.
    upRes.on('error', () => res.destroy());

    if (injectHtml && status === 200 && type.includes('text/html') && !encoded) {
      collectUpTo(upRes, HTML_INJECTION_CAP_BYTES).then(
        (got) => {
          if (got.complete) {
            const body = injectIntoHtml(got.body, plan.htmlInjection ?? '');
            res.writeHead(status, { ...outHeaders, 'content-length': body.length });
            res.end(body);
          } else {
            res.writeHead(status, outHeaders);
            for (const chunk of got.head) res.write(chunk);
            upRes.pipe(res);
          }
        },
        (err: Error) => res.destroy(err),
      );
      return;
    }

    if (redactKey && plan.cloudKey && type.includes('json') && !encoded) {
      delete outHeaders['content-length'];
      res.writeHead(status, outHeaders);
      pipeline(upRes, replaceAllStream(Buffer.from(plan.cloudKey), Buffer.from('[redacted]')), res, (err) => {
        if (err) upRes.destroy();
      });
      return;
    }

    res.writeHead(status, outHeaders);
    upRes.pipe(res);
  });

  const declaredLength = Number(req.headers['content-length'] ?? NaN);
  const hasBody = req.headers['transfer-encoding'] !== undefined || (declaredLength > 0 && Number.isFinite(declaredLength));
  if (hasBody) cutWhenStalled(req, plan.timeouts.stallMs, () => upReq.destroy(new StalledTransferError('upload', plan.timeouts.stallMs)));
  if (!hasBody) {
    upReq.end();
    return;
  }
  req.on('error', () => upReq.destroy());
  req.pipe(upReq);
}
