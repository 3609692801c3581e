// Which sharing rule (SPEC §8.3) a request falls under, decided on the path as ComfyUI's router sees it
// (percent-decoded; aiohttp dispatches `/histor%79` as `/history`), so no spelling slips past a rule.
import { memoByString } from '../guards/pathMemo';

export type SharingRule =
  | 'submit'
  | 'queue-read'
  | 'queue-write'
  | 'history-read'
  | 'history-one'
  | 'history-write'
  | 'interrupt'
  | 'jobs-read'
  | 'job-one'
  | 'view'
  | 'mask-upload'
  | 'upload'
  | 'object-info'
  | 'object-info-one'
  | 'system-stats'
  | 'server-logs';

export interface SharingMatch {
  rule: SharingRule;
  /** The prompt id of `/history/{id}` and `/api/jobs/{id}`. */
  id?: string;
  /** The canonical path (decoded), e.g. /api/history/abc. */
  path: string;
}

const RULES: [RegExp, string, SharingRule][] = [
  [/^\/(?:api\/)?prompt$/, 'POST', 'submit'],
  [/^\/(?:api\/)?queue$/, 'GET', 'queue-read'],
  [/^\/(?:api\/)?queue$/, 'HEAD', 'queue-read'],
  [/^\/(?:api\/)?queue$/, 'POST', 'queue-write'],
  [/^\/(?:api\/)?history$/, 'GET', 'history-read'],
  [/^\/(?:api\/)?history$/, 'HEAD', 'history-read'],
  [/^\/(?:api\/)?history$/, 'POST', 'history-write'],
  [/^\/(?:api\/)?history\/([^/]+)$/, 'GET', 'history-one'],
  [/^\/(?:api\/)?history\/([^/]+)$/, 'HEAD', 'history-one'],
  [/^\/(?:api\/)?interrupt$/, 'POST', 'interrupt'],
  [/^\/api\/jobs$/, 'GET', 'jobs-read'],
  [/^\/api\/jobs\/([^/]+)$/, 'GET', 'job-one'],
  // HEAD answers like GET without the body: it must not reach ComfyUI unchecked and leak whether a job exists.
  [/^\/api\/jobs$/, 'HEAD', 'jobs-read'],
  [/^\/api\/jobs\/([^/]+)$/, 'HEAD', 'job-one'],
  [/^\/(?:api\/)?view$/, 'GET', 'view'],
  [/^\/(?:api\/)?view$/, 'HEAD', 'view'],
  [/^\/(?:api\/)?upload\/mask$/, 'POST', 'mask-upload'],
  // Several upstreams (SPEC §10): answered by the proxy only with several upstreams.
  [/^\/(?:api\/)?upload\/image$/, 'POST', 'upload'],
  [/^\/(?:api\/)?object_info$/, 'GET', 'object-info'],
  // One class (any name, even one ComfyUI would not find): a key's file lists are its own there too.
  [/^\/(?:api\/)?object_info\/.+$/, 'GET', 'object-info-one'],
  [/^\/(?:api\/)?system_stats$/, 'GET', 'system-stats'],
  // Admin's go to ComfyUI; a key gets the proxy's stand-in (guards/serverLogs.ts decides which paths).
  [/^\/internal\/logs(?:\/raw)?$/, 'GET', 'server-logs'],
  [/^\/internal\/logs(?:\/raw)?$/, 'HEAD', 'server-logs'],
  [/^\/internal\/logs\/subscribe$/, 'PATCH', 'server-logs'],
];

function decoded(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

function ruleFor(method: string, pathname: string): SharingMatch | null {
  const path = decoded(pathname) ?? pathname;
  for (const [pattern, m, rule] of RULES) {
    if (m !== method) continue;
    const hit = pattern.exec(path);
    if (hit) return Object.freeze({ rule, id: hit[1], path });
  }
  return null;
}

/** Remembered per method and path (pathMemo.ts); a method never contains a space. */
const memoRuleFor = memoByString((key: string) => {
  const space = key.indexOf(' ');
  return ruleFor(key.slice(0, space), key.slice(space + 1));
});

/** The rule for this request, or null when none applies (the request is forwarded as it is). */
export function sharingRuleFor(method: string, pathname: string): Readonly<SharingMatch> | null {
  return memoRuleFor(`${method} ${pathname}`);
}
