// Rounds of /object_info fetches (SPEC §10): every live upstream is fetched at the same time and fingerprinted
// together, so two servers are never compared fresh against stale (a server that just restarted against one
// whose fingerprint is minutes old). A round runs when an upstream joins or returns, when one's fetch failed
// (again after `retryMs`), and every `everyMs` while busy; requests during a round make one more round after
// it. A round that finds a new difference is not believed at once: all are fetched once more, and only a
// difference seen twice in a row sets an upstream apart.
import type { Upstream } from '../sharing/context';
import { fingerprintTogether, type ObjectInfoDigest, type ObjectInfoFingerprint } from './objectInfoHash';

export interface RoundMember {
  u: Upstream;
  /** The member's generation when the round started: bumped when it goes down, so a stale fetch is dropped. */
  generation: number;
}

export interface RoundHooks {
  /** The upstreams to fetch now: live and answering. */
  members(): RoundMember[];
  fetch(u: Upstream): Promise<ObjectInfoDigest | null>;
  /** Still the same live upstream as when the round started. */
  current(m: RoundMember): boolean;
  /** The ids that differ if these fingerprints were applied (nothing is changed). */
  differing(fingerprints: Map<string, ObjectInfoFingerprint | null>): Set<string>;
  /** Applies a round's fingerprints (null: that fetch failed) and judges again. */
  apply(fingerprints: Map<string, ObjectInfoFingerprint | null>): void;
}

export class ObjectInfoRounds {
  private running = false;
  private wanted = false;
  private stopped = false;
  /** Ids being fetched by the running round, each with a way to stop waiting for it. */
  private fetching = new Map<string, () => void>();
  /** Ids whose difference the last applied round confirmed. */
  private confirmed = new Set<string>();
  /** Epoch ms when the last round started (0: none yet). */
  lastStart = 0;

  constructor(
    private readonly hooks: RoundHooks,
    private readonly now: () => number,
  ) {}

  /** Whether the running round fetches this upstream (a request for it would be one round too many). */
  includes(id: string): boolean {
    return this.fetching.has(id);
  }

  /** It went down: the running round stops waiting for its fetch (which may hang until its timeout). */
  left(id: string): void {
    this.fetching.get(id)?.();
  }

  /** A round now, or one more after the running one. */
  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.wanted = true;
      return;
    }
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    this.running = true;
    let rechecking = false;
    try {
      do {
        this.wanted = false;
        const fingerprints = await this.round();
        if (this.stopped) return;
        if (fingerprints.size === 0) continue;
        const differing = this.hooks.differing(fingerprints);
        const fresh = [...differing].some((id) => !this.confirmed.has(id));
        if (fresh && !rechecking) {
          // Seen once: fetch everyone again before setting anyone apart (a server mid-start, a folder created).
          rechecking = true;
          this.wanted = true;
          continue;
        }
        rechecking = false;
        this.confirmed = differing;
        this.hooks.apply(fingerprints);
      } while (this.wanted && !this.stopped);
    } finally {
      this.running = false;
      this.fetching = new Map();
    }
  }

  /** Fetches every member at once; the fingerprints of those still current, fingerprinted together. */
  private async round(): Promise<Map<string, ObjectInfoFingerprint | null>> {
    this.lastStart = this.now();
    const members = this.hooks.members();
    this.fetching = new Map();
    const digests = await Promise.all(
      members.map((m) => {
        const gone = new Promise<null>((resolve) => this.fetching.set(m.u.id, () => resolve(null)));
        return Promise.race([this.hooks.fetch(m.u), gone]);
      }),
    );
    const kept = members.map((m, i) => ({ m, d: digests[i] ?? null })).filter((x) => this.hooks.current(x.m));
    const fps = fingerprintTogether(kept.map((x) => x.d));
    return new Map(kept.map((x, i) => [x.m.u.id, fps[i] ?? null]));
  }
}
