// The settings schema (zod): the single source of truth for what a valid settings file holds, its
// defaults, and the field-naming messages shown when a value is rejected.
import { z } from 'zod';
import { checkCloudBaseUrl } from '../cloud/cloudEnvironments';

export const SETTINGS_SCHEMA_VERSION = 3;

function httpUrl(field: string) {
  return z.string().superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${field} must be a URL like http://127.0.0.1:8188` });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      ctx.addIssue({ code: 'custom', message: `${field} must use http or https` });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: `${field} must not contain a user name or password; use the upstream key instead` });
    } else if (url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: `${field} must not contain a query or fragment` });
    }
  });
}

/** An origin as browsers send it: scheme://host[:port], nothing else. */
const originSchema = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
    } catch {
      return false;
    }
  },
  { message: 'each allowed origin must look like http://host:port (scheme, host and optional port only)' },
);

function cloudBaseUrl(field: string) {
  return z
    .string()
    .nullable()
    .superRefine((value, ctx) => {
      if (value === null) return;
      const why = checkCloudBaseUrl(value);
      if (why) ctx.addIssue({ code: 'custom', message: `${field} ${why}` });
    });
}

export const cloudSettingsSchema = z
  .object({
    environment: z.enum(['production', 'staging', 'custom'], {
      message: 'cloud.environment must be production, staging or custom',
    }),
    customBaseUrl: cloudBaseUrl('cloud.customBaseUrl').default(null),
    /** null: DEFAULT_BILLING_BASE_URL. */
    billingBaseUrl: cloudBaseUrl('cloud.billingBaseUrl').default(null),
    showCredits: z.boolean().default(true),
  })
  .superRefine((cloud, ctx) => {
    if (cloud.environment === 'custom' && !cloud.customBaseUrl) {
      ctx.addIssue({ code: 'custom', path: ['customBaseUrl'], message: 'cloud.customBaseUrl is required when cloud.environment is custom' });
    }
  });

export const KEYS_SORT_COLUMNS = ['name', 'created_at', 'last_used', 'rate_limit'] as const;

export const uiSettingsSchema = z.object({
  keysSort: z
    .object({
      column: z.enum(KEYS_SORT_COLUMNS),
      direction: z.enum(['asc', 'desc']),
    })
    .default({ column: 'created_at', direction: 'desc' }),
});

export const settingsSchema = z.object({
  schemaVersion: z.literal(SETTINGS_SCHEMA_VERSION),
  upstreamUrl: httpUrl('upstreamUrl').default('http://127.0.0.1:8188'),
  listenPort: z
    .number({ message: 'listenPort must be a number' })
    .int({ message: 'listenPort must be a whole number' })
    .min(1, { message: 'listenPort must be between 1 and 65535' })
    .max(65535, { message: 'listenPort must be between 1 and 65535' })
    .default(8189),
  allowedOrigins: z.array(originSchema).max(64).default([]),
  theme: z.enum(['system', 'light', 'dark'], { message: 'theme must be system, light or dark' }).default('system'),
  startAtLogin: z.boolean({ message: 'startAtLogin must be true or false' }).default(false),
  /** Days of usage and audit history kept (SPEC §11). */
  retentionDays: z.number({ message: 'retentionDays must be a number' }).int({ message: 'retentionDays must be a whole number' }).min(1, { message: 'retentionDays must be between 1 and 3650' }).max(3650, { message: 'retentionDays must be between 1 and 3650' }).default(90),
  cloud: cloudSettingsSchema.default({ environment: 'production', customBaseUrl: null, billingBaseUrl: null, showCredits: true }),
  ui: uiSettingsSchema.default({ keysSort: { column: 'created_at', direction: 'desc' } }),
  /** safeStorage backend only: secret name → base64 ciphertext. Never plaintext. */
  encryptedSecrets: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'encryptedSecrets values must be base64')).default({}),
});

export type Settings = z.output<typeof settingsSchema>;
export type CloudSettings = Settings['cloud'];
export type UiSettings = Settings['ui'];
export type Theme = Settings['theme'];

/** What callers may change: any top-level field but the version; `cloud` and `ui` merge one level deep. */
export type SettingsPatch = Partial<Omit<Settings, 'schemaVersion' | 'cloud' | 'ui'>> & {
  cloud?: Partial<CloudSettings>;
  ui?: Partial<UiSettings>;
};

export const SETTINGS_FIELDS = Object.keys(settingsSchema.shape) as (keyof Settings)[];

export function defaultSettings(): Settings {
  return settingsSchema.parse({ schemaVersion: SETTINGS_SCHEMA_VERSION });
}

/** "upstreamUrl must use http or https; listenPort must be …" — each message names its field. */
export function describeSettingsIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      // Our custom messages already start with the field name; zod's built-in ones do not.
      return path && !issue.message.startsWith(path.split('.')[0] ?? '') ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
