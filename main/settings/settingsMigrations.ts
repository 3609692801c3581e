// Versioned migrations of the raw settings object, one pure function per step (n → n+1), run in
// order from the file's `schemaVersion` up to the current one before the schema validates it.
import { SETTINGS_SCHEMA_VERSION } from './settingsSchema';

type Raw = Record<string, unknown>;

/** Thrown when a file cannot be migrated; the message names the field and never holds values. */
export class SettingsMigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsMigrationError';
  }
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * v1 → v2: v1 stored the upstream as `upstream: {host, port, https?}` and the keys table sort as a
 * string "column:direction". v2 merges the upstream into one `upstreamUrl` (so https and IPv6 hosts
 * are expressible) and moves UI preferences under `ui`.
 */
function v1ToV2(v1: Raw): Raw {
  const { upstream, keysSort, ...rest } = v1;
  const out: Raw = { ...rest, schemaVersion: 2 };
  if (upstream !== undefined) {
    if (!isRecord(upstream) || typeof upstream.host !== 'string' || upstream.host === '') {
      throw new SettingsMigrationError('upstream.host must be a host name');
    }
    const port = upstream.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new SettingsMigrationError('upstream.port must be a port number');
    }
    const host = upstream.host.includes(':') && !upstream.host.startsWith('[') ? `[${upstream.host}]` : upstream.host;
    out.upstreamUrl = `${upstream.https === true ? 'https' : 'http'}://${host}:${port}`;
  }
  if (typeof keysSort === 'string') {
    const [column, direction] = keysSort.split(':');
    out.ui = { keysSort: { column, direction: direction ?? 'asc' } };
  }
  return out;
}

/**
 * v2 → v3: adds `allowedOrigins` (extra browser origins the proxy accepts) and replaces the v2
 * boolean `cloudStaging` with `cloud: {environment, customBaseUrl, …}`, which can also express a
 * custom base URL.
 */
function v2ToV3(v2: Raw): Raw {
  const { cloudStaging, ...rest } = v2;
  return {
    ...rest,
    schemaVersion: 3,
    allowedOrigins: [],
    cloud: { environment: cloudStaging === true ? 'staging' : 'production', customBaseUrl: null, billingBaseUrl: null, showCredits: true },
  };
}

/**
 * v3 → v4: adds `notifications` (both kinds on) and the first-run checklist state under `ui.setup`.
 * Someone upgrading has used the app already, so the checklist starts dismissed for them; a fresh
 * install (no file) gets the schema default, which shows it.
 */
function v3ToV4(v3: Raw): Raw {
  const ui = isRecord(v3.ui) ? v3.ui : {};
  return {
    ...v3,
    schemaVersion: 4,
    notifications: { jobs: true, upstream: true },
    ui: { ...ui, setup: { comfyOpened: false, dismissed: true } },
  };
}

/** MIGRATIONS[n] turns a version-n object into version n+1. */
const MIGRATIONS: Record<number, (raw: Raw) => Raw> = { 1: v1ToV2, 2: v2ToV3, 3: v3ToV4 };

/** The version a raw file claims; files from before `schemaVersion` existed are recognised by shape. */
export function detectSchemaVersion(raw: Raw): number {
  const v = raw.schemaVersion;
  if (v === undefined) {
    if ('upstream' in raw) return 1;
    if ('upstreamUrl' in raw && !('cloud' in raw)) return 2;
    if ('cloud' in raw && !('notifications' in raw)) return 3;
    return SETTINGS_SCHEMA_VERSION;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new SettingsMigrationError('schemaVersion must be a positive whole number');
  }
  return v;
}

export interface MigrationResult {
  data: Raw;
  fromVersion: number;
}

/** Runs every step from the file's version to the current one. Newer files are refused, not guessed. */
export function migrateSettings(raw: unknown): MigrationResult {
  if (!isRecord(raw)) throw new SettingsMigrationError('the settings file must hold a JSON object');
  const fromVersion = detectSchemaVersion(raw);
  if (fromVersion > SETTINGS_SCHEMA_VERSION) {
    throw new SettingsMigrationError(
      `the settings file was written by a newer version of the app (schema ${fromVersion}, this app knows ${SETTINGS_SCHEMA_VERSION})`,
    );
  }
  let data: Raw = { ...raw, schemaVersion: fromVersion };
  for (let v = fromVersion; v < SETTINGS_SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new SettingsMigrationError(`no migration from schema ${v}`);
    data = step(data);
  }
  return { data, fromVersion };
}
