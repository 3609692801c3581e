// How often the monitor samples the upstream's health: every `fastMs` while someone watches (the window is
// on screen) or right after the upstream went up or down; with nobody watching and nothing changing, the
// gap doubles up to `idleMaxMs`, so a companion sitting in the tray seldom wakes. The pacing itself is pure;
// the monitor's timer seam lives here too.
export class SamplePacing {
  #watchers = 0;
  #gap: number;

  constructor(
    private readonly fastMs: number,
    private readonly idleMaxMs: number,
  ) {
    this.#gap = fastMs;
  }

  get watched(): boolean {
    return this.#watchers > 0;
  }

  /** Someone looks at the monitor until the returned function is called (once). */
  watch(): () => void {
    this.#watchers++;
    this.#gap = this.fastMs;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#watchers--;
    };
  }

  /** The wait before the next sample; `changed` when this sample's up/down differs from the previous one. */
  next(changed: boolean): number {
    if (this.watched || changed) this.#gap = this.fastMs;
    else this.#gap = Math.min(this.#gap * 2, Math.max(this.idleMaxMs, this.fastMs));
    return this.#gap;
  }
}

/** The timers the monitor uses (tests pass a manual clock). */
export interface MonitorTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const defaultTimers: MonitorTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Never keep a CLI or test process alive just for monitoring.
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
