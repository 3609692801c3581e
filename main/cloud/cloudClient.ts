// Comfy Cloud HTTP client: validates a platform API key (`GET {base}/account`) and reads credits
// (`GET {billing}/customers/balance`), with bounded, cancellable retries. fetch, clock, sleep and
// randomness are injected so tests are fast and deterministic.
import { CompanionError } from '../common/errors';
import { maskSecret } from '../secrets/secretStore';
import {
  DEFAULT_BILLING_BASE_URL,
  checkCloudBaseUrl,
  checkCloudKeyShape,
  resolveCloudBaseUrl,
  type CloudEnvironment,
} from './cloudEnvironments';
import { DEFAULT_RETRY_POLICY, backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retryPolicy';

export interface CloudAccount {
  /** Common display fields when the server sends them; everything else stays in `raw`. */
  id?: string;
  email?: string;
  name?: string;
  plan?: string;
  raw: Record<string, unknown>;
}

export interface CloudCredits {
  amountMicros: number;
  currency: string;
}

export interface RetryNotice {
  /** The try that just failed (1 = the first). */
  attempt: number;
  delayMs: number;
  status: number;
}

export interface CloudRequestOptions {
  signal?: AbortSignal;
  /** Called before each wait, so the UI can say "rate limited — retrying in N s". */
  onRetry?: (notice: RetryNotice) => void;
}

export interface CloudTarget {
  environment: CloudEnvironment;
  customBaseUrl?: string | null;
}

export interface CloudClientOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
  billingBaseUrl?: string | null;
  retry?: Partial<RetryPolicy>;
  /** Per try, covering headers and body. */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const cancelled = () => new CompanionError('cancelled', 'Cancelled');

export class CloudClient {
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #billingBase: string;

  constructor(options: CloudClientOptions = {}) {
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const billing = options.billingBaseUrl ?? DEFAULT_BILLING_BASE_URL;
    const why = checkCloudBaseUrl(billing);
    if (why) throw new CompanionError('invalid_request', `billing base URL ${why}`);
    this.#billingBase = billing.replace(/\/+$/, '');
  }

  /** Checks the key's shape, then asks Comfy Cloud who it belongs to. */
  async validate(key: string, target: CloudEnvironment | CloudTarget, options: CloudRequestOptions = {}): Promise<CloudAccount> {
    checkCloudKeyShape(key);
    const t = typeof target === 'string' ? { environment: target } : target;
    const base = resolveCloudBaseUrl(t.environment, t.customBaseUrl);
    const body = await this.#request(`${base}/account`, { authorization: `Bearer ${key}` }, key, options);
    const pick = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
    return { id: pick('id'), email: pick('email'), name: pick('name') ?? pick('username'), plan: pick('plan'), raw: body };
  }

  /** Remaining credits, as ComfyUI's frontend reads them (`amount_micros`, `currency`). */
  async credits(key: string, options: CloudRequestOptions = {}): Promise<CloudCredits> {
    checkCloudKeyShape(key);
    const body = await this.#request(`${this.#billingBase}/customers/balance`, { 'x-api-key': key }, key, options);
    const amount = body.amount_micros;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || typeof body.currency !== 'string') {
      throw new CompanionError('upstream_unavailable', 'The credits service answered without amount_micros and currency');
    }
    return { amountMicros: amount, currency: body.currency };
  }

  async #request(url: string, headers: Record<string, string>, key: string, options: CloudRequestOptions): Promise<Json> {
    const { signal, onRetry } = options;
    const started = this.#now();
    const what = new URL(url).pathname;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw cancelled();
      const { status, retryAfter, text } = await this.#once(url, headers, signal);

      if (status >= 200 && status < 300) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw new CompanionError('upstream_unavailable', `Comfy Cloud sent a reply to ${what} that is not valid JSON (HTTP ${status})`);
        }
        if (!isRecord(parsed)) throw new CompanionError('upstream_unavailable', `Comfy Cloud sent an unexpected reply to ${what} (not a JSON object)`);
        return parsed;
      }

      if (isRetryableStatus(status)) {
        const retryAfterMs = parseRetryAfter(retryAfter, this.#now());
        const delayMs = backoffDelay(this.#policy, attempt, this.#random, retryAfterMs);
        const elapsed = this.#now() - started;
        const outOfTries = attempt >= this.#policy.maxAttempts;
        const outOfTime = elapsed + delayMs > this.#policy.maxTotalMs;
        if (outOfTries || outOfTime) throw this.#giveUp(status, attempt, retryAfterMs, text, key);
        onRetry?.({ attempt, delayMs, status });
        try {
          await this.#sleep(delayMs, signal);
        } catch {
          throw cancelled();
        }
        continue;
      }

      throw this.#httpError(status, text, key, what);
    }
  }

  /** One try, bounded by the per-try timeout; classifies transport failures. */
  async #once(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<{ status: number; retryAfter: string | null; text: string }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.#fetch(url, { headers: { accept: 'application/json', ...headers }, signal: controller.signal, redirect: 'error' });
      const text = await res.text();
      return { status: res.status, retryAfter: res.headers.get('retry-after'), text };
    } catch (err) {
      if (signal?.aborted) throw cancelled();
      if (timedOut) throw new CompanionError('timeout', `Comfy Cloud did not answer within ${Math.round(this.#timeoutMs / 1000)} s`);
      const cause = (err as { cause?: { code?: string } }).cause;
      const code = cause?.code ? ` (${cause.code})` : '';
      throw new CompanionError('offline', `Cannot reach Comfy Cloud at ${new URL(url).host}${code}; check the internet connection`, { cause: err });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #giveUp(status: number, attempts: number, retryAfterMs: number | undefined, text: string, key: string): CompanionError {
    const server = serverMessage(text, key);
    if (status === 429) {
      const retryAfter = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
      return new CompanionError('rate_limited', `Comfy Cloud is rate limiting requests${server ? `: ${server}` : ''}; tried ${attempts} times`, { retryAfter });
    }
    return new CompanionError('unavailable', `Comfy Cloud answered ${status} on ${attempts} ${attempts === 1 ? 'try' : 'tries'}; giving up${server ? ` (${server})` : ''}`);
  }

  #httpError(status: number, text: string, key: string, what: string): CompanionError {
    const server = serverMessage(text, key);
    if (status === 401) return new CompanionError('unauthorized', server ?? 'Comfy Cloud rejected the API key');
    if (status === 403) return new CompanionError('forbidden', server ?? 'Comfy Cloud refused access for this API key');
    if (status === 404) return new CompanionError('not_found', `Comfy Cloud has no ${what} here (404); check the environment or base URL`);
    return new CompanionError('invalid_request', `Comfy Cloud refused the request (HTTP ${status})${server ? `: ${server}` : ''}`);
  }
}

/** The server's `error.message` (Comfy Cloud error shape), bounded, with the key masked if echoed. */
function serverMessage(text: string, key: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const err = isRecord(parsed) ? parsed.error : undefined;
  const message = isRecord(err) && typeof err.message === 'string' ? err.message : isRecord(parsed) && typeof parsed.message === 'string' ? parsed.message : undefined;
  if (!message) return undefined;
  return message.split(key).join(maskSecret(key)).slice(0, 300);
}
