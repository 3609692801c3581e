// Slows down key guessing on the login form: after `maxFailures` failed logins from one client address
// within `windowMs`, further attempts are refused until the oldest failure leaves the window.
import { gauge } from '../../common/sizeGauges';

export interface LoginThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
  /** Distinct addresses tracked at most (oldest forgotten first), to bound memory. */
  maxClients?: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterS: number };

export class LoginThrottle {
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly maxClients: number;
  /** Failure times per client, oldest first, never more than maxFailures. */
  private readonly failures = new Map<string, number[]>();

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.maxClients = options.maxClients ?? 10_000;
    gauge('login.throttle', this, (t) => t.failures.size);
  }

  /** Whether this client may try to log in now. */
  check(client: string): ThrottleDecision {
    const recent = this.recent(client);
    if (recent.length < this.maxFailures) return { allowed: true };
    const oldest = recent[0] ?? this.now();
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000)) };
  }

  /** Records a failed login; returns the decision for the next attempt. */
  fail(client: string): ThrottleDecision {
    const recent = this.recent(client);
    recent.push(this.now());
    while (recent.length > this.maxFailures) recent.shift();
    this.failures.delete(client); // re-insert so Map order is least-recently-failed first
    this.failures.set(client, recent);
    if (this.failures.size > this.maxClients) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    return this.check(client);
  }

  /** A successful login forgets the client's failures. */
  succeed(client: string): void {
    this.failures.delete(client);
  }

  private recent(client: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(client) ?? []).filter((t) => t > cutoff);
    if (list.length === 0) this.failures.delete(client);
    else this.failures.set(client, list);
    return list;
  }
}
