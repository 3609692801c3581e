// Request validation for the IPC handlers: one zod schema per channel input, and errors that carry
// per-field issues the renderer shows next to its inputs.
import { z } from 'zod';
import type { FieldIssue } from '../../preload/contract';
import { EXTERNAL_TARGETS } from '../../preload/contract';
import { CompanionError } from '../common/errors';
import { SCOPES, type Scope } from '../common/principal';
import { settingsSchema } from '../settings/settingsSchema';
import { SHARE_MAX, SHARE_MIN } from '../keys/keyInput';

/** A request that failed validation; carries per-field issues the UI shows next to inputs. */
export class RequestValidationError extends CompanionError {
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[]) {
    super('invalid_request', message);
    this.issues = issues;
  }
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = issuesOf(r.error);
  // Our messages are whole sentences that name the field; zod's own (wrong type, unknown field) get the path.
  throw new RequestValidationError(issues.map((i) => (i.path && !i.message.endsWith('.') ? `${i.path}: ${i.message}` : i.message)).join(' '), issues);
}

export const none = z.undefined().or(z.null()).or(z.strictObject({}));
export const id = z.strictObject({ id: z.string().min(1).max(64) });
// Messages are sentences naming the field as the key form labels it; the form shows them as they are.
const scopes = z.array(z.enum(SCOPES as [Scope, ...Scope[]])).min(1, 'Choose what the key may do: Read, Generate or Admin.');
const metadata = z.record(z.string().max(100, 'A label name can be at most 100 characters.'), z.string().max(1000, 'A label value can be at most 1000 characters.'));
const expiresAtMs = z.number().int().positive().nullable();
const name = z.string().trim().min(1, 'Give the key a name.').max(100, 'The name can be at most 100 characters.');
const wholeBetween = (label: string, min: number, max: number) =>
  z
    .number({ message: `${label} must be a number.` })
    .int(`${label} must be a whole number.`)
    .min(min, `${label} must be at least ${min}.`)
    .max(max, `${label} can be at most ${max.toLocaleString('en-US')}.`);
const rateLimit = wholeBetween('Jobs per hour', 1, 1_000_000);
const requestsPerMinute = wholeBetween('Requests per minute', 1, 1_000_000);
const maxQueued = wholeBetween('Jobs in the queue at once', 1, 10_000);
const comfyUser = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'The ComfyUI user folder must be 1–128 letters, digits, "_", "." or "-", starting with a letter or digit.')
  .refine((u) => !u.includes('..'), 'The ComfyUI user folder must not contain "..".')
  .nullable();
const share = z
  .number({ message: 'The GPU share must be a number.' })
  .min(SHARE_MIN, `The GPU share must be at least ${SHARE_MIN}.`)
  .max(SHARE_MAX, `The GPU share can be at most ${SHARE_MAX}.`)
  .refine((s) => Math.abs(Math.round(s * 100) - s * 100) < 1e-9, 'The GPU share can have at most two decimals.');
const keyFields = {
  rateLimit: rateLimit.optional(),
  requestsPerMinute: requestsPerMinute.optional(),
  maxQueued: maxQueued.optional(),
  comfyUser: comfyUser.optional(),
  cloud: z.boolean().optional(),
  cloudJobsPerDay: wholeBetween('Paid API jobs per day', 1, 1_000_000).nullable().optional(),
  gpuSecondsPerDay: wholeBetween('GPU seconds per day', 1, 86_400 * 64).nullable().optional(),
  share: share.optional(),
  expiresAt: expiresAtMs.optional(),
  scopes: scopes.optional(),
  metadata: metadata.optional(),
};
export const keyCreate = z.strictObject({ name, ...keyFields });
const keyPatch = z.strictObject({ name: name.optional(), isActive: z.boolean().optional(), ...keyFields });
export const keyUpdate = z.strictObject({ id: z.string().min(1).max(64), patch: keyPatch });
export const keyUsage = z.strictObject({ id: z.string().min(1).max(64), days: z.number().int().min(1).max(90).optional() });
const serverUrl = z.string({ message: 'Enter the address of a ComfyUI server.' }).trim().min(1, 'Enter the address of a ComfyUI server.').max(2048, 'The address can be at most 2048 characters.');
export const upstreamKey = z.strictObject({
  key: z.string().max(4096, 'The ComfyUI key can be at most 4096 characters.').nullable(),
  remember: z.boolean(),
});
export const upstreamAdd = z.strictObject({ url: serverUrl, replace: z.string().max(2048).optional() });
export const upstreamUrl = z.strictObject({ url: z.string().min(1).max(2048) });
export const cloudLogin = z.strictObject({
  key: z.string().max(4096),
  environment: z.enum(['production', 'staging', 'custom']),
  customBaseUrl: z.string().max(2048).optional(),
});
export const settingsPatch = z.strictObject({
  listenPort: z.unknown().optional(),
  allowedOrigins: z.unknown().optional(),
  allowedHosts: z.unknown().optional(),
  sharedInputFolders: z.unknown().optional(),
  theme: z.unknown().optional(),
  startAtLogin: z.unknown().optional(),
  notifications: z.unknown().optional(),
});
export const openExternal = z.strictObject({ target: z.enum(EXTERNAL_TARGETS) });

/** Checks each field with the settings schema so the UI gets one message per field. */
export function checkSettingsFields(patch: Record<string, unknown>): void {
  const issues: FieldIssue[] = [];
  const shape = settingsSchema.shape as Record<string, z.ZodType>;
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const r = shape[field]?.safeParse(value);
    if (r && !r.success) for (const i of r.error.issues) issues.push({ path: [field, ...i.path.map(String)].join('.'), message: i.message });
  }
  if (issues.length > 0) throw new RequestValidationError(issues.map((i) => i.message).join(' '), issues);
}
