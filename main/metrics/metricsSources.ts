// What the metrics read when Prometheus scrapes, as narrow functions the composition root provides: the keys
// (not revoked), each key's usage totals, the ledger's active jobs, and the running proxy.
import type { KeyRecord } from '../keys/keyRecord';
import type { UsageDay } from '../keys/usageDays';
import type { JobLedgerApi } from '../jobs/types';

export const KEY_LABELS = ['key_id', 'key_name'] as const;

export interface MetricsSources {
  /** Keys whose series are kept: every key not revoked. */
  keys(): Pick<KeyRecord, 'key_id' | 'name'>[];
  /** A key's lifetime usage totals (the same numbers `keys usage` sums). */
  usage(keyId: string): UsageDay;
  /** upstream → state → jobs the ledger holds as pending or running. */
  activeJobs(): Map<string, Record<string, number>>;
}

/** Each ComfyUI server as /health reports it (cached ≤ 1 s there), read once per scrape. */
export interface UpstreamSample {
  url: string;
  state: string;
  reachable: boolean;
  queue: { pending: number; running: number };
}

export interface LiveProxy {
  upstreams(): Promise<UpstreamSample[]>;
  inFlight(): { active: number; waiting: number };
}

export interface KeyCounts {
  status: Record<string, number>;
  refusals: Record<string, number>;
}

export function countsOf(): KeyCounts {
  return { status: {}, refusals: {} };
}

export function labelsOf(k: Pick<KeyRecord, 'key_id' | 'name'>): { key_id: string; key_name: string } {
  return { key_id: k.key_id, key_name: k.name };
}

/** upstream → { pending, running } of the ledger's jobs that have not ended. */
export function activeJobsOf(ledger: Pick<JobLedgerApi, 'list'>): Map<string, Record<string, number>> {
  const by = new Map<string, Record<string, number>>();
  for (const j of ledger.list({ states: ['pending', 'running'], limit: Number.MAX_SAFE_INTEGER })) {
    const s = by.get(j.upstream) ?? { pending: 0, running: 0 };
    s[j.state] = (s[j.state] ?? 0) + 1;
    by.set(j.upstream, s);
  }
  return by;
}
