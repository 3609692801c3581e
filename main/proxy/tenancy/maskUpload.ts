// `POST /upload/mask` under the sharing rules (SPEC §8.3): ComfyUI copies the image named by the form's
// `original_ref` ({filename, subfolder, type}, an annotated name too) into the shared input folder with the
// mask applied (server.py upload_mask). Left alone, any key could copy another key's output into the input
// folder and then view it there. So for keys the proxy reads this one form (capped; a mask is one canvas-sized
// PNG), checks `original_ref` with the /view rule, and only then sends it on. Admin's masks stream as usual.
import type { IncomingMessage } from 'node:http';
import { CompanionError } from '../../errors';
import { exchange } from '../upstreamExchange';
import { answerRaw, type TenancyDeps, type TenancyRequest } from './context';
import { badFileValue, mayView } from './fileRules';

/** Largest mask form a key may send: a 4096×4096 RGBA PNG fits several times over. */
export const MASK_BODY_CAP_BYTES = 64 * 1024 * 1024;

async function readCapped(req: IncomingMessage, cap: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => {
    req.resume();
    return new CompanionError('payload_too_large', `A mask upload may be at most ${cap / (1024 * 1024)} MiB.`);
  };
  if (Number.isFinite(declared) && declared > cap) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > cap) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function boundaryOf(contentType: string | undefined): string | null {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/** The first form field with this name, as text; null when absent. */
export function formField(body: Buffer, boundary: string, name: string): string | null {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    const end = body.indexOf(delimiter, start);
    if (end < 0) return null;
    const part = body.subarray(start, end);
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const head = part.subarray(0, split).toString('latin1');
      const disposition = /content-disposition:[^\r\n]*?;\s*name="([^"]*)"/i.exec(head);
      if (disposition?.[1] === name) return part.subarray(split + 4, part.length - 2).toString('utf8');
    }
    at = end;
  }
  return null;
}

export async function uploadMask(deps: TenancyDeps, r: TenancyRequest, path: string): Promise<void> {
  const boundary = boundaryOf(r.req.headers['content-type']);
  if (!boundary) throw new CompanionError('invalid_request', 'A mask upload must be multipart/form-data.');
  const body = await readCapped(r.req, MASK_BODY_CAP_BYTES);
  const text = formField(body, boundary, 'original_ref');
  let ref: unknown = null;
  try {
    ref = text === null ? null : JSON.parse(text);
  } catch {
    /* refused below */
  }
  if (typeof ref !== 'object' || ref === null || typeof (ref as { filename?: unknown }).filename !== 'string') {
    throw new CompanionError('invalid_request', 'The mask upload needs an "original_ref" field: JSON with the filename, subfolder and type of the image.');
  }
  // The same question as GET /view?filename=…&type=…&subfolder=… (server.py defaults type to output here too).
  const probe = new URL('http://proxy/view');
  for (const field of ['filename', 'subfolder', 'type'] as const) {
    const value = (ref as Record<string, unknown>)[field];
    if (typeof value !== 'string') continue;
    const why = badFileValue(value);
    if (why) throw new CompanionError('invalid_request', `original_ref.${field} holds ${why}; file paths must stay inside ComfyUI's folders.`);
    probe.searchParams.set(field, value);
  }
  if (!mayView(deps.ledger, r.owner, probe)) throw new CompanionError('not_found', "No such file among your jobs' outputs.");
  if (deps.multi && (await deps.multi.uploadBody(r, path, body))) return;
  const upstream = deps.liveUpstreams()[0];
  if (!upstream) throw new CompanionError('upstream_unavailable', 'No ComfyUI server is reachable right now.');
  const a = await exchange(upstream.target, {
    method: 'POST',
    path,
    headers: r.upstreamHeaders(upstream.target),
    body,
    responseTimeoutMs: deps.responseTimeoutMs,
  });
  answerRaw(r.res, a.status, a.headers['content-type'], a.body, r.responseHeaders);
}
