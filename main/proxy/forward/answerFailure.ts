// The answer to a request whose handling failed: an HTML page for a browser navigation when ComfyUI is down
// or silent, the error shape for a CompanionError, a plain 500 otherwise, or a reset once the answer began.
import type { ServerResponse } from 'node:http';
import { CompanionError } from '../../common/errors';
import { sendCompanionError, sendError, sendHtmlError } from '../../http/respond';
import { isBrowserNavigation } from '../guards/routePolicy';

export function answerFailure(res: ServerResponse, err: unknown): void {
  const upstreamFault = err instanceof CompanionError && (err.code === 'upstream_unavailable' || err.code === 'upstream_timeout');
  if (upstreamFault && !res.headersSent && isBrowserNavigation(res.req.method ?? 'GET', res.req.headers)) {
    sendHtmlError(res, err.status, err.code === 'upstream_timeout' ? 'ComfyUI did not answer' : 'ComfyUI is not reachable', err.message);
  } else if (err instanceof CompanionError) sendCompanionError(res, err, err.retryAfter ? { 'retry-after': String(err.retryAfter) } : {});
  else if (!res.headersSent) sendError(res, 'internal', 'The proxy could not handle this request.');
  else res.destroy();
}
