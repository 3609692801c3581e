// The settings schema (zod): the single source of truth for what a valid settings file holds, its
// defaults, and the field-naming messages shown when a value is rejected.
import { z } from 'zod';
import { checkCloudBaseUrl } from '../cloud/cloudEnvironments';
import { allowedHostsSchema, DEFAULT_UPSTREAM, upstreamsSchema } from './settingsNetwork';
import { sharedInputFoldersSchema } from './settingsSharing';

export const SETTINGS_SCHEMA_VERSION = 5;

// Messages are sentences that name the field as the window labels it ("The port …"), so the Settings view
// can show them next to the field as they are; file-level notices add the JSON path.
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
  { message: 'Each allowed origin must look like http://host:port: a scheme, a host and an optional port, nothing else.' },
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

/** First-run checklist progress that cannot be read from live state (Home view). */
export const setupSchema = z.object({
  /** Set when ComfyUI was opened through the proxy from the window or the tray. */
  comfyOpened: z.boolean().default(false),
  /** The user closed the checklist, or upgraded from a version that had none. */
  dismissed: z.boolean().default(false),
});
export const DEFAULT_SETUP = { comfyOpened: false, dismissed: false };

export const uiSettingsSchema = z.object({
  keysSort: z
    .object({
      column: z.enum(KEYS_SORT_COLUMNS),
      direction: z.enum(['asc', 'desc']),
    })
    .default({ column: 'created_at', direction: 'desc' }),
  setup: setupSchema.default(DEFAULT_SETUP),
});

/** Desktop notifications (SPEC §5 settings): each kind can be turned off. */
export const notificationSettingsSchema = z.object({
  /** A job queued by the app's own user (the admin key) finished or failed. */
  jobs: z.boolean({ message: 'Job notifications must be on or off.' }).default(true),
  /** The ComfyUI server stopped answering, or came back. */
  upstream: z.boolean({ message: 'ComfyUI connection notifications must be on or off.' }).default(true),
});
export const DEFAULT_NOTIFICATIONS = { jobs: true, upstream: true };

export const settingsSchema = z.object({
  schemaVersion: z.literal(SETTINGS_SCHEMA_VERSION),
  /** The ComfyUI servers behind the proxy (SPEC §10), 1–8; the first is the primary. */
  upstreams: upstreamsSchema.default([DEFAULT_UPSTREAM]),
  listenPort: z
    .number({ message: 'The port must be a number between 1 and 65535.' })
    .int({ message: 'The port must be a whole number between 1 and 65535.' })
    .min(1, { message: 'The port must be between 1 and 65535.' })
    .max(65535, { message: 'The port must be between 1 and 65535.' })
    .default(8189),
  allowedOrigins: z.array(originSchema).max(64, { message: 'At most 64 extra origins can be allowed.' }).default([]),
  /** Host names besides this computer's that may reach the proxy (tunnels such as Tailscale serve), SPEC §2.1. */
  allowedHosts: allowedHostsSchema.default([]),
  /** Folders of ComfyUI's input folder every key may read; keys' own uploads are private (SPEC §8.3). */
  sharedInputFolders: sharedInputFoldersSchema.default([]),
  theme: z.enum(['system', 'light', 'dark'], { message: 'The theme must be System, Light or Dark.' }).default('system'),
  startAtLogin: z.boolean({ message: 'Start at sign-in must be on or off.' }).default(false),
  notifications: notificationSettingsSchema.default(DEFAULT_NOTIFICATIONS),
  /** Days of usage and audit history kept (SPEC §11). */
  retentionDays: z
    .number({ message: 'History must be kept for a number of days from 1 to 3650.' })
    .int({ message: 'History must be kept for a whole number of days from 1 to 3650.' })
    .min(1, { message: 'History must be kept for 1 to 3650 days.' })
    .max(3650, { message: 'History must be kept for 1 to 3650 days.' })
    .default(90),
  cloud: cloudSettingsSchema.default({ environment: 'production', customBaseUrl: null, billingBaseUrl: null, showCredits: true }),
  ui: uiSettingsSchema.default({ keysSort: { column: 'created_at', direction: 'desc' }, setup: DEFAULT_SETUP }),
  /** safeStorage backend only: secret name → base64 ciphertext. Never plaintext. */
  encryptedSecrets: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'encryptedSecrets values must be base64')).default({}),
});

export type Settings = z.output<typeof settingsSchema>;
export type CloudSettings = Settings['cloud'];
export type UiSettings = Settings['ui'];
export type Theme = Settings['theme'];

/** What callers may change: any top-level field but the version; `cloud` and `ui` merge one level deep. */
export type SettingsPatch = Partial<Omit<Settings, 'schemaVersion' | 'cloud' | 'ui' | 'notifications'>> & {
  cloud?: Partial<CloudSettings>;
  ui?: Partial<UiSettings>;
  notifications?: Partial<Settings['notifications']>;
};

export const SETTINGS_FIELDS = Object.keys(settingsSchema.shape) as (keyof Settings)[];

export function defaultSettings(): Settings {
  return settingsSchema.parse({ schemaVersion: SETTINGS_SCHEMA_VERSION });
}

/** "upstreams.1: “ftp://x” must start with …; listenPort: The port must be …" — path and sentence. */
export function describeSettingsIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      // The file's own field path first, so a hand-edited file can be fixed; then the sentence.
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
