// The one error type shared by the HTTP API, the IPC bridge and the CLI, so a curl user,
// the renderer and a script all read the same code and words.

export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'client_id_in_use'
  | 'cloud_not_allowed'
  | 'rate_limited'
  | 'invalid_request'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'storage_unavailable'
  | 'offline'
  | 'timeout'
  | 'request_timeout'
  | 'cancelled'
  | 'unavailable'
  | 'internal';

/** Wire shape of an error: the Comfy Cloud error body (`{"error":{"type","message"}}`). */
export interface ErrorBody {
  error: { type: ErrorCode; message: string; retry_after?: number };
}

const STATUS: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  client_id_in_use: 403,
  cloud_not_allowed: 403,
  rate_limited: 429,
  invalid_request: 400,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  upstream_unavailable: 502,
  upstream_timeout: 504,
  storage_unavailable: 507,
  offline: 503,
  timeout: 504,
  request_timeout: 408,
  cancelled: 499,
  unavailable: 503,
  internal: 500,
};

export class CompanionError extends Error {
  readonly code: ErrorCode;
  /** Seconds after which a retry may succeed (429, backoff), when known. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { retryAfter?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CompanionError';
    this.code = code;
    this.retryAfter = options?.retryAfter;
  }

  get status(): number {
    return STATUS[this.code];
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { type: this.code, message: this.message } };
    if (this.retryAfter !== undefined) body.error.retry_after = this.retryAfter;
    return body;
  }
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** Turns anything thrown into a CompanionError without leaking internals (stack, paths, secrets). */
export function toCompanionError(err: unknown): CompanionError {
  if (err instanceof CompanionError) return err;
  return new CompanionError('internal', 'Internal error', { cause: err });
}
