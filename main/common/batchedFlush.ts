// Batches writes of in-memory state (usage, rate limits, the job ledger): the first change arms a one-shot
// timer and the state is written once when it fires, so a busy process writes at most once per interval and
// an idle one has no timer at all (no wake-ups while nothing changes). A failed write is retried.
export class BatchedFlush {
  #timer: NodeJS.Timeout | null = null;
  #dirty = false;

  /** `intervalMs` 0: never on a timer, only when the owner flushes by hand. */
  constructor(
    private readonly write: () => void,
    private readonly intervalMs: number,
  ) {}

  get dirty(): boolean {
    return this.#dirty;
  }

  /** Something changed: have it written within the interval. */
  mark(): void {
    this.#dirty = true;
    if (this.#timer !== null || this.intervalMs <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.write();
      // Still dirty: the write failed (or more changed during it); try again later.
      if (this.#dirty) this.mark();
    }, this.intervalMs);
    this.#timer.unref();
  }

  /** The state was written. */
  clear(): void {
    this.#dirty = false;
  }

  /** Stops the timer (the owner flushes one last time itself). */
  close(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
