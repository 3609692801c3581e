// Settings files written by every older schema version open as current settings, values kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SETTINGS_SCHEMA_VERSION } from '../../main/settings/settingsSchema';
import { createSettingsStore } from '../../main/settings/settingsStore';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-settings-mig-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeSettings(data: unknown): void {
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(data));
}
function readSettingsFile(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
}

describe('settings migrations', () => {
  it('a version 1 file (upstream as host + port, sort as a string) opens with its values as a current upstreamUrl', () => {
    writeSettings({
      schemaVersion: 1,
      upstream: { host: '192.168.1.20', port: 8190, https: true },
      listenPort: 9001,
      theme: 'dark',
      startAtLogin: true,
      keysSort: 'last_used:asc',
    });
    const store = createSettingsStore({ cwd: dir });
    const s = store.get();
    expect(s.schemaVersion).toBe(4);
    expect(s.upstreamUrl).toBe('https://192.168.1.20:8190');
    expect(s.listenPort).toBe(9001);
    expect(s.theme).toBe('dark');
    expect(s.startAtLogin).toBe(true);
    expect(s.ui.keysSort).toEqual({ column: 'last_used', direction: 'asc' });
    expect(s.allowedOrigins).toEqual([]);
    expect(s.cloud.environment).toBe('production');
    // The file on disk is rewritten in the current shape; the old fields are gone.
    const onDisk = readSettingsFile();
    expect(onDisk.schemaVersion).toBe(SETTINGS_SCHEMA_VERSION);
    expect(onDisk).not.toHaveProperty('upstream');
    expect(onDisk).not.toHaveProperty('keysSort');
    expect(store.notices.map((n) => n.kind)).toEqual(['migrated']);
    expect(store.notices[0]?.message).toContain('from version 1 to 4');
  });

  it('a version 1 file from before schemaVersion existed is recognised by its shape', () => {
    writeSettings({ upstream: { host: '::1', port: 8188 }, listenPort: 8189 });
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().upstreamUrl).toBe('http://[::1]:8188');
  });

  it('a version 2 file keeps its upstreamUrl and its staging choice becomes cloud.environment', () => {
    writeSettings({
      schemaVersion: 2,
      upstreamUrl: 'http://10.0.0.5:8188',
      listenPort: 8200,
      theme: 'light',
      startAtLogin: false,
      cloudStaging: true,
      ui: { keysSort: { column: 'name', direction: 'asc' } },
    });
    const store = createSettingsStore({ cwd: dir });
    const s = store.get();
    expect(s.upstreamUrl).toBe('http://10.0.0.5:8188');
    expect(s.cloud).toEqual({ environment: 'staging', customBaseUrl: null, billingBaseUrl: null, showCredits: true });
    expect(s.allowedOrigins).toEqual([]);
    expect(s.ui.keysSort.column).toBe('name');
    expect(readSettingsFile()).not.toHaveProperty('cloudStaging');
  });

  it('a version 3 file gains notifications (on) and a dismissed first-run checklist, keeping its values', () => {
    writeSettings({
      schemaVersion: 3,
      upstreamUrl: 'http://10.0.0.5:8188',
      listenPort: 8200,
      allowedOrigins: ['http://localhost:3000'],
      theme: 'dark',
      startAtLogin: true,
      cloud: { environment: 'staging', customBaseUrl: null, billingBaseUrl: null, showCredits: false },
      ui: { keysSort: { column: 'name', direction: 'asc' } },
      encryptedSecrets: {},
    });
    const store = createSettingsStore({ cwd: dir });
    const s = store.get();
    expect(s.schemaVersion).toBe(4);
    expect(s.notifications).toEqual({ jobs: true, upstream: true });
    // Someone upgrading has used the app: no first-run checklist for them.
    expect(s.ui.setup).toEqual({ comfyOpened: false, dismissed: true });
    expect(s.ui.keysSort).toEqual({ column: 'name', direction: 'asc' });
    expect(s.cloud.showCredits).toBe(false);
    expect(s.startAtLogin).toBe(true);
    expect(store.notices.map((n) => n.message)).toEqual(['Settings were upgraded from version 3 to 4.']);
    expect(readSettingsFile().notifications).toEqual({ jobs: true, upstream: true });
  });

  it('a fresh install shows the first-run checklist and has notifications on', () => {
    const s = createSettingsStore({ cwd: dir }).get();
    expect(s.ui.setup).toEqual({ comfyOpened: false, dismissed: false });
    expect(s.notifications).toEqual({ jobs: true, upstream: true });
  });

  it('notifications can be turned off one kind at a time', () => {
    const store = createSettingsStore({ cwd: dir });
    store.update({ notifications: { jobs: false } });
    expect(createSettingsStore({ cwd: dir }).get().notifications).toEqual({ jobs: false, upstream: true });
  });

  it('a current (v4) file opens unchanged, with no notice and no rewrite', () => {
    const store1 = createSettingsStore({ cwd: dir });
    store1.update({ allowedOrigins: ['http://localhost:3000'], theme: 'dark' });
    const before = fs.readFileSync(path.join(dir, 'settings.json'), 'utf8');
    const mtime = fs.statSync(path.join(dir, 'settings.json')).mtimeMs;
    const store2 = createSettingsStore({ cwd: dir });
    expect(store2.get().allowedOrigins).toEqual(['http://localhost:3000']);
    expect(store2.notices).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(before);
    expect(fs.statSync(path.join(dir, 'settings.json')).mtimeMs).toBe(mtime);
  });

  it('a version 1 file whose port is not a number is backed up and reset, with a notice naming the field', () => {
    writeSettings({ schemaVersion: 1, upstream: { host: 'x', port: 'eighty' } });
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().upstreamUrl).toBe('http://127.0.0.1:8188');
    expect(store.notices[0]?.kind).toBe('reset');
    expect(store.notices[0]?.message).toContain('upstream.port');
    expect(fs.existsSync(store.notices[0]!.backupPath!)).toBe(true);
  });

  it('a file from a newer app version is not guessed at: it is backed up and the notice says why', () => {
    writeSettings({ schemaVersion: 9, upstreamUrl: 'http://127.0.0.1:8188' });
    const store = createSettingsStore({ cwd: dir });
    expect(store.notices[0]?.message).toContain('newer version');
    expect(JSON.parse(fs.readFileSync(store.notices[0]!.backupPath!, 'utf8')).schemaVersion).toBe(9);
  });
});
