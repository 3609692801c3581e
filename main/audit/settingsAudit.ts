// Settings changes in the audit log: each change of the settings store becomes one `settings.changed`
// entry naming the fields and their new values. Stored ciphertexts are never named by value.
import type { Settings } from '../settings/settingsSchema';
import type { AuditActor, AuditDetails, AuditSink } from './auditTypes';

/** Never shown by value: safeStorage ciphertexts of secrets. */
const HIDDEN = new Set(['encryptedSecrets']);

export interface SettingsSource {
  get(): Settings;
  onChange(listener: (s: Settings) => void): () => void;
}

/** Records every later change of `settings` as `actor`; returns the unsubscribe function. */
export function auditSettings(settings: SettingsSource, audit: AuditSink, actor: AuditActor): () => void {
  let last = settings.get();
  return settings.onChange((next) => {
    const details = settingsDiff(last, next);
    last = next;
    if (details) audit.record(actor, 'settings.changed', 'settings', details);
  });
}

/** null when nothing but hidden fields changed. Nested objects are compared per field (`cloud.environment`). */
export function settingsDiff(before: Settings, after: Settings): AuditDetails | null {
  const details: AuditDetails = {};
  const fields: string[] = [];
  const walk = (b: Record<string, unknown>, a: Record<string, unknown>, prefix: string): void => {
    for (const field of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const path = `${prefix}${field}`;
      if (HIDDEN.has(field) || JSON.stringify(b[field]) === JSON.stringify(a[field])) continue;
      const bv = b[field];
      const av = a[field];
      if (isPlainObject(bv) && isPlainObject(av)) {
        walk(bv, av, `${path}.`);
        continue;
      }
      fields.push(path);
      details[path] = av === undefined ? null : typeof av === 'object' && av !== null && !isStringArray(av) ? JSON.stringify(av) : (av as AuditDetails[string]);
    }
  };
  walk(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, '');
  return fields.length === 0 ? null : { ...details, fields };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
