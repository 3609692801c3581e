// Settings persistence: validates, migrates and repairs the settings file, then keeps it in a
// conf-compatible store (Conf in Node, ElectronStore in the app) that writes atomically.
import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { CompanionError } from '../common/errors';
import type { EncryptedSecretsSink } from '../secrets/safeStorageSecretStore';
import { SettingsMigrationError, migrateSettings } from './settingsMigrations';
import {
  SETTINGS_FIELDS,
  SETTINGS_SCHEMA_VERSION,
  defaultSettings,
  describeSettingsIssues,
  settingsSchema,
  type Settings,
  type SettingsPatch,
} from './settingsSchema';

/** The slice of Conf / ElectronStore this module uses. */
export interface BackingStore {
  store: Record<string, unknown>;
  readonly path: string;
}

/** Options understood by both Conf (`configName`) and ElectronStore (`name`). */
export interface BackingStoreOptions {
  cwd: string;
  configName: string;
  name: string;
  configFileMode: number;
  clearInvalidConfig: false;
}

export type BackingStoreClass = new (options: BackingStoreOptions) => BackingStore;

export interface SettingsNotice {
  kind: 'reset' | 'migrated';
  /** Human sentence for the UI; names the problem and the backup, never the file's contents. */
  message: string;
  backupPath?: string;
  at: number;
}

export interface CreateSettingsStoreOptions {
  /** Folder holding settings.json (the app's userData / the CLI's --data-dir). */
  cwd: string;
  /** Conf by default; main/app passes ElectronStore. */
  StoreClass?: BackingStoreClass;
  /** File name without extension. */
  fileName?: string;
  now?: () => number;
}

type Listener<T> = (value: T) => void;

export class SettingsStore {
  readonly path: string;
  readonly #backing: BackingStore;
  readonly #now: () => number;
  readonly #notices: SettingsNotice[] = [];
  readonly #changeListeners = new Set<Listener<Settings>>();
  readonly #noticeListeners = new Set<Listener<SettingsNotice>>();
  #current: Settings;

  constructor(options: CreateSettingsStoreOptions) {
    const fileName = options.fileName ?? 'settings';
    this.#now = options.now ?? Date.now;
    this.path = path.join(options.cwd, `${fileName}.json`);
    fs.mkdirSync(options.cwd, { recursive: true });
    // Repair and migrate before the backing store opens the file: Conf would throw on bad JSON.
    const loaded = this.#loadFromDisk();
    const StoreClass = options.StoreClass ?? (Conf as unknown as BackingStoreClass);
    this.#backing = new StoreClass({
      cwd: options.cwd,
      configName: fileName,
      name: fileName,
      configFileMode: 0o600, // holds safeStorage ciphertexts; no one else needs to read it
      clearInvalidConfig: false,
    });
    this.#current = loaded.settings;
    if (loaded.needsWrite) this.#backing.store = { ...loaded.settings };
  }

  /** The current settings (validated). Cached; `reload()` picks up another process's writes. */
  get(): Settings {
    return this.#current;
  }

  /** Notices raised since start (reset from a corrupt file, migration); the app shows them once. */
  get notices(): readonly SettingsNotice[] {
    return this.#notices;
  }

  /**
   * Validates and writes a change. Unknown fields and invalid values are refused with a message
   * naming the field; nothing is written then. Re-reads the file first, so two stores sharing
   * it do not undo each other's other fields.
   */
  update(patch: SettingsPatch): Settings {
    for (const key of Object.keys(patch)) {
      if (!(SETTINGS_FIELDS as string[]).includes(key) || key === 'schemaVersion') {
        throw new CompanionError('invalid_request', `Unknown setting "${key}"`);
      }
    }
    const base = this.#readLatest();
    const merged = {
      ...base,
      ...patch,
      cloud: { ...base.cloud, ...patch.cloud },
      ui: { ...base.ui, ...patch.ui },
      notifications: { ...base.notifications, ...patch.notifications },
      schemaVersion: SETTINGS_SCHEMA_VERSION,
    };
    const parsed = settingsSchema.safeParse(merged);
    if (!parsed.success) {
      throw new CompanionError('invalid_request', `Invalid settings: ${describeSettingsIssues(parsed.error)}`);
    }
    this.#backing.store = { ...parsed.data };
    this.#current = parsed.data;
    for (const listener of this.#changeListeners) listener(parsed.data);
    return parsed.data;
  }

  /** Re-reads the file (after another process wrote it); a corrupt file is repaired as at start. */
  reload(): Settings {
    const before = this.#current;
    this.#current = this.#readLatest();
    if (before !== this.#current) for (const listener of this.#changeListeners) listener(this.#current);
    return this.#current;
  }

  onChange(listener: Listener<Settings>): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onNotice(listener: Listener<SettingsNotice>): () => void {
    this.#noticeListeners.add(listener);
    return () => this.#noticeListeners.delete(listener);
  }

  /** The safeStorage backend's view of `encryptedSecrets`. */
  encryptedSecretsSink(): EncryptedSecretsSink {
    return {
      read: () => this.get().encryptedSecrets,
      write: (map) => {
        this.update({ encryptedSecrets: map });
      },
    };
  }

  /** Reads the file through the backing store; if it went bad meanwhile, keeps the last good copy. */
  #readLatest(): Settings {
    if (!fs.existsSync(this.path)) {
      // Deleted meanwhile (user cleanup): nothing to back up; write back what we know.
      this.#backing.store = { ...this.#current };
      return this.#current;
    }
    let raw: unknown;
    try {
      raw = this.#backing.store;
    } catch {
      const backupPath = this.#backUp();
      this.#notify({
        kind: 'reset',
        message: `The settings file became unreadable (not valid JSON); it was backed up to ${backupPath} and the last good settings were restored.`,
        backupPath,
        at: this.#now(),
      });
      this.#backing.store = { ...this.#current };
      return this.#current;
    }
    const parsed = settingsSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const backupPath = this.#backUp();
    this.#notify({
      kind: 'reset',
      message: `The settings file was changed to invalid values (${describeSettingsIssues(parsed.error)}); it was backed up to ${backupPath} and the last good settings were restored.`,
      backupPath,
      at: this.#now(),
    });
    this.#backing.store = { ...this.#current };
    return this.#current;
  }

  #loadFromDisk(): { settings: Settings; needsWrite: boolean } {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: defaultSettings(), needsWrite: true };
      return this.#resetFrom(`could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.#resetFrom('was not valid JSON');
    }
    let migrated;
    try {
      migrated = migrateSettings(json);
    } catch (err) {
      if (err instanceof SettingsMigrationError) return this.#resetFrom(`could not be upgraded: ${err.message}`);
      throw err;
    }
    const parsed = settingsSchema.safeParse(migrated.data);
    if (!parsed.success) return this.#resetFrom(`had invalid values: ${describeSettingsIssues(parsed.error)}`);
    if (migrated.fromVersion < SETTINGS_SCHEMA_VERSION) {
      this.#notify({
        kind: 'migrated',
        message: `Settings were upgraded from version ${migrated.fromVersion} to ${SETTINGS_SCHEMA_VERSION}.`,
        at: this.#now(),
      });
    }
    // Rewrite when migration or defaults changed anything, so the file on disk is the current shape.
    const needsWrite = JSON.stringify(parsed.data) !== JSON.stringify(json);
    return { settings: parsed.data, needsWrite };
  }

  #resetFrom(problem: string): { settings: Settings; needsWrite: boolean } {
    const backupPath = this.#backUp();
    this.#notify({
      kind: 'reset',
      message: `The settings file ${problem}; it was backed up to ${backupPath} and default settings were restored.`,
      backupPath,
      at: this.#now(),
    });
    return { settings: defaultSettings(), needsWrite: true };
  }

  /** Moves the bad file aside (same folder, bytes untouched) so nothing is lost. */
  #backUp(): string {
    const stamp = new Date(this.#now()).toISOString().replace(/[:.]/g, '-');
    let backupPath = `${this.path}.corrupt-${stamp}`;
    for (let n = 1; fs.existsSync(backupPath); n++) backupPath = `${this.path}.corrupt-${stamp}-${n}`;
    try {
      fs.renameSync(this.path, backupPath);
    } catch (err) {
      throw new CompanionError(
        'unavailable',
        `The settings file ${this.path} is damaged and could not be backed up (${(err as NodeJS.ErrnoException).code ?? 'error'}); fix or remove it and start again`,
        { cause: err },
      );
    }
    return backupPath;
  }

  #notify(notice: SettingsNotice): void {
    this.#notices.push(notice);
    for (const listener of this.#noticeListeners) listener(notice);
  }
}

export function createSettingsStore(options: CreateSettingsStoreOptions): SettingsStore {
  return new SettingsStore(options);
}
