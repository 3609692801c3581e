// Request validation for the IPC handlers: one zod schema per channel input, and errors that carry
// per-field issues the renderer shows next to its inputs.
import { z } from 'zod';
import type { FieldIssue } from '../../preload/contract';
import { EXTERNAL_TARGETS } from '../../preload/contract';
import { CompanionError } from '../errors';
import { SCOPES, type Scope } from '../proxy/types';
import { settingsSchema } from '../settings/settingsSchema';

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
  throw new RequestValidationError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues);
}

export const none = z.undefined().or(z.null()).or(z.strictObject({}));
export const id = z.strictObject({ id: z.string().min(1).max(64) });
const scopes = z.array(z.enum(SCOPES as [Scope, ...Scope[]])).min(1, 'choose at least one scope');
const metadata = z.record(z.string().max(100), z.string().max(1000));
const expiresAtMs = z.number().int().positive().nullable();
export const keyCreate = z.strictObject({
  name: z.string().trim().min(1, 'Name is required').max(100),
  rateLimit: z.number().int().min(1).optional(),
  expiresAt: expiresAtMs.optional(),
  scopes: scopes.optional(),
  metadata: metadata.optional(),
});
const keyPatch = z.strictObject({
  name: z.string().trim().min(1, 'Name is required').max(100).optional(),
  rateLimit: z.number().int().min(1).optional(),
  isActive: z.boolean().optional(),
  expiresAt: expiresAtMs.optional(),
  scopes: scopes.optional(),
  metadata: metadata.optional(),
});
export const keyUpdate = z.strictObject({ id: z.string().min(1).max(64), patch: keyPatch });
export const keyUsage = z.strictObject({ id: z.string().min(1).max(64), days: z.number().int().min(1).max(90).optional() });
export const upstreamLogin = z.strictObject({
  url: z.string().trim().min(1, 'Enter the upstream URL').max(2048),
  key: z.string().max(4096).nullable(),
  remember: z.boolean(),
});
export const cloudLogin = z.strictObject({
  key: z.string().max(4096),
  environment: z.enum(['production', 'staging', 'custom']),
  customBaseUrl: z.string().max(2048).optional(),
});
export const settingsPatch = z.strictObject({
  upstreamUrl: z.unknown().optional(),
  listenPort: z.unknown().optional(),
  allowedOrigins: z.unknown().optional(),
  theme: z.unknown().optional(),
  startAtLogin: z.unknown().optional(),
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
  if (issues.length > 0) throw new RequestValidationError(`Invalid settings: ${issues.map((i) => i.message).join('; ')}`, issues);
}
