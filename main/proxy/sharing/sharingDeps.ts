// Builds the sharing rules' dependencies from the proxy's parts: the ledger, the upstream pool, the
// open-connection registry (for a key's default client id), the limiter and the shared input folders.
import { createHash } from 'node:crypto';
import type { JobLedger } from '../../jobs/jobLedger';
import type { JobOwner } from '../../jobs/types';
import type { OpenConnections } from '../admission/openConnections';
import type { RateLimiter } from '../../common/rateLimit';
import type { UpstreamPool } from '../forward/upstreamPool';
import { normalizeSharedFolder, sharedFolderProblem } from '../../common/inputFolders';
import { ApiNodeCatalog } from './apiNodeCatalog';
import { JobSettler } from './jobSettler';
import { FairOrder, type QueueOrderMode } from './fairOrder';

export type { QueueOrderMode };
import type { MultiUpstreamHooks, SharingDeps, Upstream } from './context';
import { KeyObjectInfo } from './keyObjectInfo';

export interface SharingParts {
  ledger: JobLedger;
  pool: UpstreamPool;
  connections: OpenConnections;
  limiter: RateLimiter | null;
  cloudKey?: () => string | null;
  /** GPU seconds of a key's jobs this UTC day (its GPU budget, SPEC §11). */
  gpuSecondsToday?: (keyId: string) => number;
  /** The key the upstream demands, for the proxy's own reads (the job settler). */
  upstreamKey?: () => string | null;
  upstreamTimeoutMs?: number;
  now: () => number;
  /** Folders of the input folder admin marks shared (SPEC §8.3 private uploads); none when omitted. */
  sharedInputFolders?: () => readonly string[];
  /** 'fair' unless told otherwise (SPEC §12). */
  queueOrder?: QueueOrderMode;
  /** Several upstreams (main/proxy/upstreams/upstreamRouting.ts); without it, the pool's own choices. */
  routing?: {
    forNewJob(prompt?: unknown): Upstream[];
    upstreamFor(url: URL): Upstream;
    hooks: MultiUpstreamHooks | undefined;
  };
}

export type ProxySharing = SharingDeps & {
  /** Settles jobs nobody reads back (SPEC §11); stopped when the proxy closes. */
  settler: JobSettler;
};

/** The settings and the CLI validate the list; what reaches the rules is normalised and never a key's folder. */
function sharedFolders(list: () => readonly string[]): () => readonly string[] {
  let seen: readonly string[] | null = null;
  let folders: readonly string[] = [];
  return () => {
    const given = list();
    if (given !== seen) {
      seen = given;
      folders = Object.freeze(given.map(normalizeSharedFolder).filter((f) => sharedFolderProblem(f) === null));
    }
    return folders;
  };
}

/**
 * A job queued without a client_id goes to the owner's newest open WebSocket, so a script that opened
 * one still gets its job's messages; with no socket open, to an id unique to the owner (no one else's
 * socket can receive it).
 */
function defaultClientId(connections: OpenConnections, owner: JobOwner): string {
  return connections.newestSocketOf(owner) ?? `cac-${createHash('sha256').update(owner).digest('hex').slice(0, 24)}`;
}

export function createSharingDeps(p: SharingParts): ProxySharing {
  const deps: Omit<ProxySharing, 'settler'> = {
    ledger: p.ledger,
    clientIds: p.ledger.clientIds,
    limiter: p.limiter,
    upstreamsForNewJob: (prompt) => p.routing?.forNewJob(prompt) ?? p.pool.forNewJob(),
    liveUpstreams: () => p.pool.live(),
    upstreamById: (id) => p.pool.byId(id),
    defaultClientId: (owner) => defaultClientId(p.connections, owner),
    cloudKey: () => p.cloudKey?.() ?? null,
    apiNodes: new ApiNodeCatalog({ now: p.now }),
    gpuSecondsToday: p.gpuSecondsToday,
    order: new FairOrder(p.ledger, p.queueOrder),
    responseTimeoutMs: p.upstreamTimeoutMs ?? 60_000,
    now: p.now,
    upstreamFor: (url) => p.routing?.upstreamFor(url) ?? p.pool.live()[0] ?? p.pool.primary,
    inputUploads: p.ledger.inputUploads,
    sharedInputFolders: sharedFolders(p.sharedInputFolders ?? (() => [])),
    objectInfo: new KeyObjectInfo(),
    multi: p.routing?.hooks,
  };
  const headersFor = (): Record<string, string> => {
    const key = p.upstreamKey?.();
    return key ? { authorization: `Bearer ${key}` } : {};
  };
  return { ...deps, settler: new JobSettler(deps, { headersFor }) };
}
