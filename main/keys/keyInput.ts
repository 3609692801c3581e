// Validation of what callers may ask of the key store (HTTP API, CLI, store itself): zod schemas
// with strict objects, and a translation of zod issues into one message that names the field.
import { z } from 'zod';
import { CompanionError } from '../common/errors';
import { SCOPES, type Scope } from '../common/principal';

export const NAME_MAX = 100;
export const RATE_LIMIT_MAX = 1_000_000;
export const METADATA_MAX_BYTES = 16 * 1024;
export const QUEUE_MAX = 10_000;
export const GRACE_MAX_S = 7 * 24 * 3600;
/** A key's share of the GPU (SPEC §12): from a tenth of the default to a hundred times it. */
export const SHARE_MIN = 0.1;
export const SHARE_MAX = 100;

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(NAME_MAX, `must be at most ${NAME_MAX} characters`)
  // Names end up in terminal tables and logs; control characters could spoof them.
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
const rateLimit = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1 job per hour')
  .max(RATE_LIMIT_MAX, `must be at most ${RATE_LIMIT_MAX} jobs per hour`);
const requestsPerMinute = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1 request per minute')
  .max(RATE_LIMIT_MAX, `must be at most ${RATE_LIMIT_MAX} requests per minute`);
const maxQueued = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1 job')
  .max(QUEUE_MAX, `must be at most ${QUEUE_MAX} jobs`);
// ComfyUI uses the comfy-user value as a folder name under user/; keep it to a plain, safe name.
const comfyUser = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be 1-128 letters, digits, "_", "." or "-", starting with a letter or digit')
  .refine((u) => !u.includes('..'), 'must not contain ".."')
  .nullable();
const cloud = z.boolean({ error: 'must be true or false' });
const cloudJobsPerDay = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1 job per day (or null for no cap)')
  .max(RATE_LIMIT_MAX, `must be at most ${RATE_LIMIT_MAX} jobs per day`)
  .nullable();
const gpuSecondsPerDay = z
  .number()
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1 second (or null for no budget)')
  .max(86_400 * 64, `must be at most ${86_400 * 64} seconds`)
  .nullable();
const share = z
  .number({ error: 'must be a number such as 1 or 2' })
  .min(SHARE_MIN, `must be at least ${SHARE_MIN}`)
  .max(SHARE_MAX, `must be at most ${SHARE_MAX}`)
  // Two decimals are plenty for a weight and keep lists and the audit log readable.
  .refine((s) => Math.abs(Math.round(s * 100) - s * 100) < 1e-9, 'must have at most two decimals');
const metadata = z
  .record(z.string(), z.unknown())
  .refine((m) => JSON.stringify(m).length <= METADATA_MAX_BYTES, `must be at most ${METADATA_MAX_BYTES} bytes as JSON`);
const expiresAt = z.number().positive('must be epoch seconds').nullable();
const scopes = z
  .array(z.enum(SCOPES as [Scope, ...Scope[]]), { error: `must be a list of ${SCOPES.join(', ')}` })
  .min(1, 'must not be empty')
  .max(SCOPES.length)
  .transform((s) => [...new Set(s)]);

export const createKeySchema = z.strictObject({
  name,
  rate_limit: rateLimit.optional(),
  requests_per_minute: requestsPerMinute.optional(),
  max_queued: maxQueued.optional(),
  comfy_user: comfyUser.optional(),
  cloud: cloud.optional(),
  cloud_jobs_per_day: cloudJobsPerDay.optional(),
  gpu_seconds_per_day: gpuSecondsPerDay.optional(),
  share: share.optional(),
  metadata: metadata.optional(),
  expires_at: expiresAt.optional(),
  scopes: scopes.optional(),
});
export type CreateKeyInput = z.input<typeof createKeySchema>;

export const updateKeySchema = z
  .strictObject({
    name: name.optional(),
    rate_limit: rateLimit.optional(),
    requests_per_minute: requestsPerMinute.optional(),
    max_queued: maxQueued.optional(),
    comfy_user: comfyUser.optional(),
    cloud: cloud.optional(),
    cloud_jobs_per_day: cloudJobsPerDay.optional(),
    gpu_seconds_per_day: gpuSecondsPerDay.optional(),
    share: share.optional(),
    metadata: metadata.optional(),
    is_active: z.boolean().optional(),
    expires_at: expiresAt.optional(),
    scopes: scopes.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'Give at least one field to change');
export type UpdateKeyInput = z.input<typeof updateKeySchema>;

export const rotateKeySchema = z.strictObject({
  grace_seconds: z.number().int('must be a whole number').min(0).max(GRACE_MAX_S, `must be at most ${GRACE_MAX_S}`).optional(),
});

/** Parses `value` or throws a 400 `invalid_request` whose message names the offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new CompanionError('invalid_request', describeIssue(result.error.issues[0]));
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'Invalid request body';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `Unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  const field = issue.path.map(String).join('.');
  if (!field) return issue.code === 'invalid_type' ? 'Request body must be a JSON object' : issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return `Missing required field "${field}"`;
  return `Invalid field "${field}": ${issue.message.replace('expected record', 'expected an object')}`;
}
