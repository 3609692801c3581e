// Builds the sharing rules' dependencies from the proxy's parts: the ledger, the upstream pool, the
// open-connection registry (for a key's default client id) and the limiter.
import { createHash } from 'node:crypto';
import type { JobLedger } from '../../jobs/jobLedger';
import type { JobOwner } from '../../jobs/types';
import type { OpenConnections } from '../admission/openConnections';
import type { RateLimiter } from '../../common/rateLimit';
import type { UpstreamPool } from '../forward/upstreamPool';
import { ApiNodeCatalog } from './apiNodeCatalog';
import { FairOrder, type QueueOrderMode } from './fairOrder';

export type { QueueOrderMode };
import type { MultiUpstreamHooks, SharingDeps, Upstream } from './context';

export interface SharingParts {
  ledger: JobLedger;
  pool: UpstreamPool;
  connections: OpenConnections;
  limiter: RateLimiter | null;
  cloudKey?: () => string | null;
  upstreamTimeoutMs?: number;
  now: () => number;
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
  /** The upstream a streamed request goes to: the first live one that matches the others (SPEC §10). */
  upstreamFor(url: URL): Upstream;
};

/**
 * A job queued without a client_id goes to the owner's newest open WebSocket, so a script that opened
 * one still gets its job's messages; with no socket open, to an id unique to the owner (no one else's
 * socket can receive it).
 */
function defaultClientId(connections: OpenConnections, owner: JobOwner): string {
  return connections.newestSocketOf(owner) ?? `cac-${createHash('sha256').update(owner).digest('hex').slice(0, 24)}`;
}

export function createSharingDeps(p: SharingParts): ProxySharing {
  return {
    ledger: p.ledger,
    clientIds: p.ledger.clientIds,
    limiter: p.limiter,
    upstreamsForNewJob: (prompt) => p.routing?.forNewJob(prompt) ?? p.pool.forNewJob(),
    liveUpstreams: () => p.pool.live(),
    upstreamById: (id) => p.pool.byId(id),
    defaultClientId: (owner) => defaultClientId(p.connections, owner),
    cloudKey: () => p.cloudKey?.() ?? null,
    apiNodes: new ApiNodeCatalog({ now: p.now }),
    order: new FairOrder(p.ledger, p.queueOrder),
    responseTimeoutMs: p.upstreamTimeoutMs ?? 60_000,
    now: p.now,
    upstreamFor: (url) => p.routing?.upstreamFor(url) ?? p.pool.live()[0] ?? p.pool.primary,
    multi: p.routing?.hooks,
  };
}
