// What a started proxy offers its owner (the CLI, the app's composition root, tests): where it listens, its
// live parts (health, ledger, upstreams, open connections, the job settler) and a graceful close.
import type { JobLedger } from '../jobs/jobLedger';
import type { OpenConnections } from './admission/openConnections';
import type { UpstreamPool } from './forward/upstreamPool';
import type { JobSettler } from './sharing/jobSettler';
import type { PoolHealth } from './upstreams/poolHealth';
import type { UpstreamStatus } from './upstreams/upstreamHealth';

export interface RunningProxy {
  url: string;
  host: string;
  port: number;
  health: PoolHealth;
  ledger: JobLedger;
  upstreams: UpstreamPool;
  /** Each upstream's state, queue, latency, device, consistency (monitor, tray); subscribing starts the watcher. */
  upstreamStatus(): UpstreamStatus[];
  onUpstreamChange(listener: (statuses: UpstreamStatus[]) => void): () => void;
  /** Open WebSockets and responses, re-checked when keys change. */
  connections: OpenConnections;
  /** Settles jobs nobody reads back (SPEC §11). */
  settler: JobSettler;
  /** Upstream requests in flight and waiting for a slot (inFlightGate.ts). */
  inFlight(): { active: number; waiting: number; lanes: number };
  /** Connections closed because their request head did not complete in time (slowClients.ts). */
  slowClientsClosed(): number;
  /** Stops accepting, lets in-flight requests finish (bounded by graceMs), closes sockets. */
  close(graceMs?: number): Promise<void>;
}
