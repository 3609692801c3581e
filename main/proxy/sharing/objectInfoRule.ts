// `GET /object_info` and `/object_info/{class}` for a key (SPEC §8.3 "Private uploads"): ComfyUI's answer with the
// upload inputs' file lists made the key's own (keyObjectInfo.ts). With several upstreams the whole node set comes
// from the shared, cached read (SPEC §10) and is rewritten on its way out; otherwise the proxy asks the upstream
// that reads go to. Admin's /object_info is ComfyUI's own.
import { exchange } from '../forward/upstreamExchange';
import { answerRaw, type SharingDeps, type SharingRequest } from './context';
import { mayReadInput } from './inputAccess';
import type { KeyView } from './keyObjectInfo';

const OBJECT_INFO_CAP = 64 * 1024 * 1024;

function keyView(deps: SharingDeps, r: SharingRequest): KeyView {
  const sharedFolders = deps.sharedInputFolders();
  return {
    owner: r.owner,
    own: deps.inputUploads.of(r.owner),
    version: deps.inputUploads.version(r.owner),
    sharedFolders,
    visible: (path) => mayReadInput(r.owner, path, sharedFolders),
  };
}

/** Answers the key's read; `whole` is true for the full node set (`/object_info`, `/api/object_info`). */
export async function keyObjectInfo(deps: SharingDeps, r: SharingRequest, path: string, whole: boolean): Promise<void> {
  const pathname = path.split('?', 1)[0] ?? path;
  const rewrite = (body: Buffer) => deps.objectInfo.forKey(pathname, body, keyView(deps, r));
  if (whole && deps.multi && (await deps.multi.sharedRead('object_info', r, path, rewrite))) return;
  const upstream = deps.upstreamFor(r.url);
  const a = await exchange(upstream.target, {
    method: 'GET',
    path,
    headers: r.upstreamHeaders(upstream.target),
    capBytes: OBJECT_INFO_CAP,
    responseTimeoutMs: deps.responseTimeoutMs,
  });
  answerRaw(r.res, a.status, a.headers['content-type'], a.status === 200 ? rewrite(a.body) : a.body, { ...r.responseHeaders, 'cache-control': 'no-store' });
}
