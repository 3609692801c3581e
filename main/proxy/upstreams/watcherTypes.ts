// What the upstream watcher (upstreamHealth.ts) shows and takes (SPEC §10): one upstream's status as the
// monitor, the tray and /health see it, the watcher's timings (down within 2 s) and its hooks.
import type { Upstream } from '../sharing/context';
import type { ObjectInfoDifference } from './objectInfoHash';
import type { DeviceInfo } from './upstreamProbe';

export type UpstreamStateName = 'up' | 'down' | 'checking';

/** One upstream as the monitor, the tray and /health see it. */
export interface UpstreamStatus {
  /** The upstream's URL (its id in the job ledger). */
  id: string;
  state: UpstreamStateName;
  /** queue_remaining: pending + running, from probes and WS `status` messages. */
  queue: number;
  latencyMs: number | null;
  device: DeviceInfo | null;
  objectInfo: { hash: string | null; matches: boolean | null; problem: string | null; difference: ObjectInfoDifference | null };
  /** Why it is down (never a secret). */
  error: string | null;
  /** Epoch ms of the last state change. */
  since: number;
  /** Epoch ms of the last answer or failure. */
  checkedAt: number | null;
}

export interface WatcherTimings {
  fastMs: number;
  watchedMs: number;
  idleMaxMs: number;
  /** A liveness probe without an answer for this long marks the upstream down. */
  timeoutMs: number;
  deviceEveryMs: number;
  /** A round of /object_info fetches of every live upstream this often while busy. */
  objectInfoEveryMs: number;
  objectInfoTimeoutMs: number;
  /** An upstream whose /object_info could not be read is asked again (in a new round) after this long. */
  objectInfoRetryMs: number;
}

// Down within 2 s: the next probe starts at most fastMs after the last answer and gives up after timeoutMs.
export const DEFAULT_WATCHER_TIMINGS: WatcherTimings = {
  fastMs: 500,
  watchedMs: 1000,
  idleMaxMs: 30_000,
  timeoutMs: 1000,
  deviceEveryMs: 5000,
  objectInfoEveryMs: 5 * 60_000,
  objectInfoTimeoutMs: 30_000,
  objectInfoRetryMs: 10_000,
};

export interface WatcherHooks {
  onDown(u: Upstream, reason: string): void;
  onUp(u: Upstream): void;
  /** A consistency finding for the log (a mismatch appeared, changed or went away). */
  onWarning(message: string): void;
  /** Clients connected or jobs active: probe at the fast rate. */
  busy(): boolean;
  /** The upstream's queue_remaining, as a probe found it. */
  onQueue(id: string, n: number): void;
}
