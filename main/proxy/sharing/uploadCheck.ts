// A key's `POST /upload/image` (SPEC §8.3): the form streams on as before, but through uploadInspector, which
// refuses (the stream errors with the CompanionError to answer) an upload into the output folder or over
// another key's temp file before ComfyUI has the whole form, and sends an input upload into the key's own
// folder. The forwarder and the several-upstreams tee read the checked stream instead of the request.
import type { Readable } from 'node:stream';
import { CompanionError } from '../../common/errors';
import { pinFormBoundary } from './formParts';
import { uploadInspector } from './uploadInspector';
import { uploadVerdict } from './uploadTarget';
import type { SharingDeps, SharingRequest } from './context';

/** The key's upload body as it may reach ComfyUI. Throws 400 for a body that is not a non-empty multipart form. */
export function checkedUploadBody(deps: SharingDeps, r: SharingRequest): Readable {
  const boundary = pinFormBoundary(r.req.headers);
  const length = r.req.headers['content-length'];
  if (r.req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0)) {
    throw new CompanionError('invalid_request', 'The upload has no body: send the image as a multipart form.');
  }
  // The form ComfyUI gets is rewritten (its subfolder), so its length is not the client's: it goes chunked.
  delete r.req.headers['content-length'];
  r.req.headers['transfer-encoding'] = 'chunked';
  const check = uploadInspector(boundary, (fields) => uploadVerdict(deps.ledger, r.owner, fields));
  // Whoever reads the check also hears its refusal; until then an error must not go unheard (it would be fatal).
  check.on('error', () => {});
  r.req.pipe(check);
  return check;
}
