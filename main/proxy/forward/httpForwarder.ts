// Streams one HTTP request to the upstream and its response back: credentials stripped, upstream key
// injected, Host/Origin rewritten (forwardHeaders.ts). The upstream side is undici's Pool driven through its
// lowest-level dispatch API — no ClientRequest, no IncomingMessage, no stream objects for a plain answer:
// each response chunk is written to the client as it arrives, and a client that cannot keep up pauses the
// upstream socket (backpressure). Request bodies are streamed, never buffered. A client that leaves aborts
// the upstream exchange (an abandoned upload cancels the job's upload).
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { PassThrough, pipeline, Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { collectUpTo, injectIntoHtml, replaceAllStream } from './bodyTransforms';
import { clientResponseHeaders, upstreamRequestHeaders, type UpstreamHeaderOptions } from './forwardHeaders';
import { CompanionError } from '../../common/errors';
import { sendCompanionError, sendError, sendHtmlError } from '../../http/respond';
import type { UpstreamTarget } from './upstreamTarget';
import { cutWhenStalled, describeUpstreamFailure, StalledTransferError, UpstreamTimeoutError, type UpstreamTimeouts } from './upstreamTimeouts';

export { upstreamRequestHeaders, type UpstreamHeaderOptions } from './forwardHeaders';

const HTML_INJECTION_CAP_BYTES = 4 * 1024 * 1024;

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
  /** The request body as the sharing rules pass it (a key's checked upload form); errors with the answer to give. */
  body?: Readable;
  /** Hears a small JSON answer once it has streamed by whole (where ComfyUI stored a key's upload). */
  onJsonAnswer?: ((status: number, body: Buffer) => void) | null;
  timeouts: UpstreamTimeouts;
}

/** The largest answer `onJsonAnswer` hears (ComfyUI's upload answer is a few hundred bytes). */
const ANSWER_TAP_CAP_BYTES = 64 * 1024;

function isUiPage(method: string, pathname: string): boolean {
  return method === 'GET' && (pathname === '/' || pathname === '/index.html');
}

/** undici's errors, as the failures the rest of the proxy already names (upstreamTimeouts.ts). */
function asUpstreamError(err: Error & { code?: string }, t: UpstreamTimeouts): Error & { code?: string } {
  switch (err.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new UpstreamTimeoutError('connect', t.connectMs);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new UpstreamTimeoutError('response', t.responseMs);
    case 'UND_ERR_BODY_TIMEOUT':
      return new StalledTransferError('download', t.stallMs);
    case 'UND_ERR_SOCKET': {
      // "other side closed": name the socket's own error when undici kept it.
      const cause = (err as { cause?: { code?: string } }).cause;
      return Object.assign(new Error(err.message), { code: cause?.code ?? 'ECONNRESET' });
    }
    default:
      return err;
  }
}

/**
 * One exchange. Implements undici's DispatchHandler: the callbacks arrive in order (request start,
 * response start, data…, end) or with an error at any point.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  /** Why the exchange must stop, when that was decided before undici handed over its controller. */
  private pendingAbort: Error | null = null;
  private clientGone = false;
  /** Set for the rare responses that are rewritten (HTML injection, cloud-key redaction). */
  private body: Readable | null = null;
  /** A copy of a small JSON answer for `plan.onJsonAnswer`, while it stays under the cap. */
  private tap: { status: number; chunks: Buffer[]; size: number } | null = null;
  private readonly onDrain = (): void => this.controller?.resume();

  constructor(
    private readonly target: UpstreamTarget,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly plan: ForwardPlan,
    private readonly injectHtml: boolean,
    private readonly redactKey: boolean,
  ) {
    res.on('close', () => {
      if (res.writableFinished) return;
      this.clientGone = true;
      this.abort(new Error('client went away'));
    });
  }

  abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort ??= reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    const { res, plan } = this;
    const outHeaders = clientResponseHeaders(headers, this.target, plan.proxyOrigin, plan.responseHeaders);
    plan.fileHeaders?.(outHeaders);
    const type = headers['content-type'];
    const encoded = headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity';
    const rewrite = !encoded && typeof type === 'string';
    if (plan.onJsonAnswer && rewrite && type.includes('json')) this.tap = { status, chunks: [], size: 0 };
    if (this.injectHtml && rewrite && status === 200 && type.includes('text/html')) {
      const body = this.streamBody(controller);
      collectUpTo(body, HTML_INJECTION_CAP_BYTES).then(
        (got) => {
          if (got.complete) {
            const page = injectIntoHtml(got.body, plan.htmlInjection ?? '');
            res.writeHead(status, { ...outHeaders, 'content-length': page.length });
            res.end(page);
          } else {
            res.writeHead(status, outHeaders);
            for (const chunk of got.head) res.write(chunk);
            body.pipe(res);
            body.resume();
          }
        },
        (err: Error) => res.destroy(err),
      );
      return;
    }
    if (this.redactKey && rewrite && plan.cloudKey && type.includes('json')) {
      delete outHeaders['content-length'];
      res.writeHead(status, outHeaders);
      pipeline(this.streamBody(controller), replaceAllStream(Buffer.from(plan.cloudKey), Buffer.from('[redacted]')), res, () => {});
      return;
    }
    res.writeHead(status, outHeaders);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.tap) {
      this.tap.size += chunk.length;
      if (this.tap.size <= ANSWER_TAP_CAP_BYTES) this.tap.chunks.push(chunk);
      else this.tap = null;
    }
    if (this.body) {
      if (!this.body.push(chunk)) controller.pause();
      return;
    }
    // Header and first chunk go out in one write (the response is corked until the head is flushed).
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    if (this.tap) this.plan.onJsonAnswer?.(this.tap.status, Buffer.concat(this.tap.chunks));
    if (this.body) this.body.push(null);
    else this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const { res, plan } = this;
    if (this.clientGone) return;
    if (error instanceof CompanionError) {
      if (res.headersSent) res.destroy(error);
      else sendCompanionError(res, error);
      return;
    }
    const err = asUpstreamError(error, plan.timeouts);
    if (this.body) {
      this.body.destroy(err);
      return;
    }
    if (res.headersSent) {
      res.destroy(err);
      return;
    }
    const failure = describeUpstreamFailure(err, this.target.origin);
    if (plan.browserNavigation) sendHtmlError(res, failure.status, failure.title, failure.detail);
    else sendError(res, failure.code, failure.detail, failure.headers, failure.status);
  }

  /** A Readable fed by this exchange (with backpressure), for the responses that are rewritten. */
  private streamBody(controller: Dispatcher.DispatchController): Readable {
    this.body = new Readable({ read: () => controller.resume() });
    return this.body;
  }
}

export function forwardHttp(target: UpstreamTarget, req: IncomingMessage, res: ServerResponse, plan: ForwardPlan): void {
  const method = req.method ?? 'GET';
  const headers = upstreamRequestHeaders(req, target, plan);
  const injectHtml = plan.htmlInjection !== null && isUiPage(method, plan.pathname);
  const redactKey = plan.cloudKey !== null && method !== 'HEAD';
  // Rewritten bodies must arrive uncompressed; nothing else touches the client's Accept-Encoding.
  if (injectHtml || redactKey) headers['accept-encoding'] = 'identity';

  const exchange = new Exchange(target, req, res, plan, injectHtml, redactKey);
  const declaredLength = Number(req.headers['content-length'] ?? NaN);
  const hasBody = req.headers['transfer-encoding'] !== undefined || (declaredLength > 0 && Number.isFinite(declaredLength));
  let body: Readable | null = null;
  if (hasBody) {
    req.on('error', () => exchange.abort(new Error('client request failed')));
    if (plan.body) {
      // The sharing rules' checked copy of the body is a stream of our own already: undici reads it directly
      // (one stream hop less per chunk). A refusal stops the upload before ComfyUI has the whole form; it is
      // the answer, and whatever the client still sends is read and dropped so that it reaches the client.
      body = plan.body;
      plan.body.on('error', (err) => {
        exchange.abort(err);
        req.unpipe();
        req.resume();
      });
    } else {
      // A stream of our own between client and undici: on failure undici destroys the body it was given,
      // and destroying the client's request would take its socket (and our error answer) with it.
      const shield = new PassThrough();
      req.pipe(shield);
      body = shield;
    }
    cutWhenStalled(req, plan.timeouts.stallMs, () => exchange.abort(new StalledTransferError('upload', plan.timeouts.stallMs)));
  }
  const { timeouts } = plan;
  target.pool(timeouts.connectMs).dispatch(
    {
      path: plan.pathAndQuery,
      method,
      headers: headers as Record<string, string | string[]>,
      body,
      // From the end of the request body to the response head (`--upstream-timeout`); between body chunks.
      headersTimeout: timeouts.responseMs,
      bodyTimeout: timeouts.stallMs,
    },
    exchange,
  );
}
