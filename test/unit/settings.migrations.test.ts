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
  it('a version 1 file (upstream as host + port, sort as a string) opens with its values as the current list of servers', () => {
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
    expect(s.schemaVersion).toBe(5);
    expect(s.upstreams).toEqual(['https://192.168.1.20:8190']);
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
    expect(store.notices[0]?.message).toContain('from version 1 to 5');
  });

  it('a version 1 file from before schemaVersion existed is recognised by its shape', () => {
    writeSettings({ upstream: { host: '::1', port: 8188 }, listenPort: 8189 });
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().upstreams).toEqual(['http://[::1]:8188']);
  });

  it('a version 2 file keeps its ComfyUI address and its staging choice becomes cloud.environment', () => {
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
    expect(s.upstreams).toEqual(['http://10.0.0.5:8188']);
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
    expect(s.schemaVersion).toBe(5);
    expect(s.notifications).toEqual({ jobs: true, upstream: true });
    // Someone upgrading has used the app: no first-run checklist for them.
    expect(s.ui.setup).toEqual({ comfyOpened: false, dismissed: true });
    expect(s.ui.keysSort).toEqual({ column: 'name', direction: 'asc' });
    expect(s.cloud.showCredits).toBe(false);
    expect(s.startAtLogin).toBe(true);
    expect(store.notices.map((n) => n.message)).toEqual(['Settings were upgraded from version 3 to 5.']);
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

  it('a version 4 file: its one ComfyUI address becomes the list of servers (the primary), no extra host names, values kept', () => {
    writeSettings({ schemaVersion: 4, upstreamUrl: 'http://10.0.0.5:8188', listenPort: 8200, allowedOrigins: ['http://localhost:3000'], notifications: { jobs: false, upstream: true } });
    const store = createSettingsStore({ cwd: dir });
    const s = store.get();
    expect(s.schemaVersion).toBe(5);
    expect(s.upstreams).toEqual(['http://10.0.0.5:8188']);
    expect(s.allowedHosts).toEqual([]);
    expect(s.allowedOrigins).toEqual(['http://localhost:3000']);
    expect(s.notifications).toEqual({ jobs: false, upstream: true });
    expect(s.listenPort).toBe(8200);
    expect(store.notices.map((n) => n.message)).toEqual(['Settings were upgraded from version 4 to 5.']);
    const onDisk = readSettingsFile();
    expect(onDisk.upstreams).toEqual(['http://10.0.0.5:8188']);
    expect(onDisk.allowedHosts).toEqual([]);
    expect(onDisk).not.toHaveProperty('upstreamUrl');
  });

  it('a version 4 file from before schemaVersion was written is recognised by its shape', () => {
    writeSettings({ upstreamUrl: 'http://10.0.0.5:8188', cloud: { environment: 'production' }, notifications: { jobs: true, upstream: false } });
    const s = createSettingsStore({ cwd: dir }).get();
    expect(s.upstreams).toEqual(['http://10.0.0.5:8188']);
    expect(s.notifications.upstream).toBe(false);
  });

  it('a version 4 file with a bad ComfyUI address is backed up and reset, the notice naming the field', () => {
    writeSettings({ schemaVersion: 4, upstreamUrl: 'ftp://gpu-box:8188', notifications: { jobs: true, upstream: true } });
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().upstreams).toEqual(['http://127.0.0.1:8188']);
    expect(store.notices[0]?.kind).toBe('reset');
    expect(store.notices[0]?.message).toContain('upstreams.0: “ftp://gpu-box:8188” must start with http:// or https://.');
    expect(JSON.parse(fs.readFileSync(store.notices[0]!.backupPath!, 'utf8')).upstreamUrl).toBe('ftp://gpu-box:8188');
  });

  it('a development v5 file (upstreamUrl + additionalUpstreams) keeps its servers, each once, primary first', () => {
    writeSettings({ schemaVersion: 5, upstreamUrl: 'http://127.0.0.1:8188', additionalUpstreams: ['http://gpu:8188', 'http://127.0.0.1:8188/'], notifications: { jobs: true, upstream: true } });
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().upstreams).toEqual(['http://127.0.0.1:8188', 'http://gpu:8188']);
    expect(readSettingsFile()).not.toHaveProperty('additionalUpstreams');
    expect(store.notices.map((n) => n.kind)).toEqual(['migrated']);
  });

  it('a current (v5) file opens unchanged, with no notice and no rewrite', () => {
    const store1 = createSettingsStore({ cwd: dir });
    store1.update({ allowedOrigins: ['http://localhost:3000'], theme: 'dark', upstreams: ['http://127.0.0.1:8188', 'http://gpu:8188'], allowedHosts: ['gpu-box.tailnet.ts.net'] });
    const before = fs.readFileSync(path.join(dir, 'settings.json'), 'utf8');
    const mtime = fs.statSync(path.join(dir, 'settings.json')).mtimeMs;
    const store2 = createSettingsStore({ cwd: dir });
    expect(store2.get().allowedOrigins).toEqual(['http://localhost:3000']);
    expect(store2.get().upstreams).toEqual(['http://127.0.0.1:8188', 'http://gpu:8188']);
    expect(store2.get().allowedHosts).toEqual(['gpu-box.tailnet.ts.net']);
    expect(store2.notices).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).toBe(before);
    expect(fs.statSync(path.join(dir, 'settings.json')).mtimeMs).toBe(mtime);
  });

  it('a version 1 file whose port is not a number is backed up and reset, with a notice naming the field', () => {
    writeSettings({ schemaVersion: 1, upstream: { host: 'x', port: 'eighty' } });
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().upstreams).toEqual(['http://127.0.0.1:8188']);
    expect(store.notices[0]?.kind).toBe('reset');
    expect(store.notices[0]?.message).toContain('upstream.port');
    expect(fs.existsSync(store.notices[0]!.backupPath!)).toBe(true);
  });

  it('a file from a newer app version is not guessed at: it is backed up and the notice says why', () => {
    writeSettings({ schemaVersion: 9, upstreams: ['http://127.0.0.1:8188'] });
    const store = createSettingsStore({ cwd: dir });
    expect(store.notices[0]?.message).toContain('newer version');
    expect(JSON.parse(fs.readFileSync(store.notices[0]!.backupPath!, 'utf8')).schemaVersion).toBe(9);
  });
});
