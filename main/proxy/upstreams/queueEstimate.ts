// Each upstream's queue length as routing needs it (SPEC §10: new jobs to the shortest queue). What an upstream
// last reported (a WS `status`, a probe of GET /prompt) misses the jobs the proxy is sending it right now and
// those it accepted since that report; counting both lets a burst of jobs sent at once spread evenly.
import type { UpstreamPool } from '../forward/upstreamPool';

interface Counts {
  reported: number;
  sending: number;
  since: number;
}

export class QueueEstimate {
  private readonly counts = new Map<string, Counts>();

  constructor(
    private readonly pool: UpstreamPool,
    private readonly changed: () => void,
  ) {}

  /** The upstream said how many jobs it holds (pending + running). */
  reported(id: string, n: number): void {
    const c = this.of(id);
    if (c.reported === n && c.since === 0) return;
    c.reported = n;
    c.since = 0;
    this.publish(id, c);
  }

  /** A job is being sent there. */
  sending(id: string): void {
    const c = this.of(id);
    c.sending += 1;
    this.publish(id, c);
  }

  /** It answered that job (accepted or not). */
  answered(id: string, accepted: boolean): void {
    const c = this.of(id);
    c.sending = Math.max(0, c.sending - 1);
    if (accepted) c.since += 1;
    this.publish(id, c);
  }

  /** It went down: what it held is gone. */
  reset(id: string): void {
    this.counts.delete(id);
    this.pool.update(id, { queue: 0 });
  }

  private of(id: string): Counts {
    let c = this.counts.get(id);
    if (!c) this.counts.set(id, (c = { reported: 0, sending: 0, since: 0 }));
    return c;
  }

  private publish(id: string, c: Counts): void {
    this.pool.update(id, { queue: c.reported + c.sending + c.since });
    this.changed();
  }
}
