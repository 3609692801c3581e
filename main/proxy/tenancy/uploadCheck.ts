// A key's `POST /upload/image` (SPEC §8.3): the form streams on as before, but through uploadInspector, which
// refuses (the stream errors with the CompanionError to answer) an upload into the output folder or over
// another key's temp file before ComfyUI has the whole form. The forwarder and the several-upstreams tee read
// the checked stream instead of the request.
import type { Readable } from 'node:stream';
import { formBoundary } from './formParts';
import { uploadInspector } from './uploadInspector';
import { uploadTargetProblem } from './uploadTarget';
import type { TenancyDeps, TenancyRequest } from './context';

/** The key's upload body as it may reach ComfyUI. Throws 400 for a body that is not multipart/form-data. */
export function checkedUploadBody(deps: TenancyDeps, r: TenancyRequest): Readable {
  const check = uploadInspector(formBoundary(r.req.headers['content-type']), (fields) => uploadTargetProblem(deps.ledger, r.owner, fields));
  r.req.pipe(check);
  return check;
}
