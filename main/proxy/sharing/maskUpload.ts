// `POST /upload/mask` under the sharing rules (SPEC §8.3): ComfyUI copies the image named by the form's
// `original_ref` ({filename, subfolder, type}, an annotated name too) into the input folder with the mask
// applied (server.py upload_mask). Left alone, any key could copy another key's output or upload into the input
// folder and then view it there. So for keys the proxy reads this one form (capped; a mask is one canvas-sized
// PNG), checks `original_ref` with the /view rule, sends the copy into the key's own folder like any upload, and
// remembers where ComfyUI stored it. Admin's masks stream as usual.
import { CompanionError } from '../../common/errors';
import { readBody } from '../../http/readBody';
import { exchange } from '../forward/upstreamExchange';
import { answerRaw, type SharingDeps, type SharingRequest } from './context';
import { badFileValue, mayView } from './fileRules';
import { formProblem, pinFormBoundary, splitForm, textValue } from './formParts';
import { uploadInspector } from './uploadInspector';
import { recordStored, storedRefOf } from './uploadRecord';
import { UPLOAD_TEXT_FIELDS, uploadVerdict, type UploadFields, type UploadRewrite } from './uploadTarget';

/**
 * Largest mask form a key may send (read whole, to check it). Kept at 64 MiB, not 32: a 4096×4096 RGBA
 * canvas is 64 MiB raw, and a photo-like one saved as PNG can pass 32 MiB; the mask editor sends PNGs.
 */
export const MASK_BODY_CAP_BYTES = 64 * 1024 * 1024;

/**
 * The fields image_upload and upload_mask read, from a whole mask form read like aiohttp reads it
 * (formParts.ts). ComfyUI takes the first of each name, so a second `original_ref` (or type, subfolder,
 * overwrite, image) is refused rather than guessed at.
 */
export function maskFields(body: Buffer, boundary: string): UploadFields & { originalRef: string | null } {
  const fields: UploadFields & { originalRef: string | null } = { originalRef: null };
  const seen = new Set<string>();
  for (const part of splitForm(body, boundary)) {
    const watched = part.name === 'original_ref' || part.name === 'image' || (UPLOAD_TEXT_FIELDS as readonly string[]).includes(part.name);
    if (!watched) continue;
    if (seen.has(part.name)) throw formProblem(`it has more than one "${part.name}" field`);
    seen.add(part.name);
    if (part.name === 'image') fields.filename = part.filename ?? undefined;
    else if (part.name === 'original_ref') fields.originalRef = textValue(part, part.body);
    else fields[part.name as (typeof UPLOAD_TEXT_FIELDS)[number]] = textValue(part, part.body);
  }
  return fields;
}

/** The whole form as ComfyUI gets it: the same inspector as a streamed upload, run over the buffer. */
function rewrittenForm(body: Buffer, boundary: string, verdict: UploadRewrite): Promise<Buffer> {
  const out: Buffer[] = [];
  const form = uploadInspector(boundary, () => verdict);
  form.on('data', (c: Buffer) => out.push(c));
  return new Promise((resolve, reject) => {
    form.on('end', () => resolve(Buffer.concat(out)));
    form.on('error', reject);
    form.end(body);
  });
}

export async function uploadMask(deps: SharingDeps, r: SharingRequest, path: string): Promise<void> {
  const boundary = pinFormBoundary(r.req.headers);
  const body = await readBody(r.req, { capBytes: MASK_BODY_CAP_BYTES, tooLargeMessage: `A mask upload may be at most ${MASK_BODY_CAP_BYTES / (1024 * 1024)} MiB.` });
  const fields = maskFields(body, boundary);
  const text = fields.originalRef;
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
  if (!mayView(deps.ledger, r.owner, probe, deps.sharedInputFolders())) throw new CompanionError('not_found', "No such file among your jobs' outputs or your uploads.");
  // The masked copy is written where the form's type/subfolder say, like any upload (uploadTarget.ts).
  const verdict = uploadVerdict(deps.ledger, r.owner, fields);
  if (verdict instanceof Error) throw verdict;
  const form = await rewrittenForm(body, boundary, verdict);
  if (deps.multi && (await deps.multi.uploadBody(r, path, form, (ref) => recordStored(deps, r, ref)))) return;
  const upstream = deps.liveUpstreams()[0];
  if (!upstream) throw new CompanionError('upstream_unavailable', 'No ComfyUI server is reachable right now.');
  const a = await exchange(upstream.target, {
    method: 'POST',
    path,
    headers: r.upstreamHeaders(upstream.target),
    body: form,
    responseTimeoutMs: deps.responseTimeoutMs,
  });
  recordStored(deps, r, storedRefOf(a.status, a.body));
  answerRaw(r.res, a.status, a.headers['content-type'], a.body, r.responseHeaders);
}
