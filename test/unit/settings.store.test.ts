// Settings: validation with field-naming messages, persistence through Conf, corrupt-file recovery
// that never loses the old file, and concurrent writers that always leave a valid file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompanionError } from '../../main/common/errors';
import { settingsSchema } from '../../main/settings/settingsSchema';
import { createSettingsStore, type BackingStoreOptions } from '../../main/settings/settingsStore';
import Conf from 'conf';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-settings-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
const file = () => path.join(dir, 'settings.json');

function expectRejected(fn: () => unknown, field: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CompanionError);
    expect((err as CompanionError).code).toBe('invalid_request');
    expect((err as CompanionError).message).toContain(field);
    return;
  }
  throw new Error(`expected the change to ${field} to be rejected`);
}

describe('settings values', () => {
  it('a fresh data dir gets the documented defaults, written to settings.json with mode 0600', () => {
    const store = createSettingsStore({ cwd: dir });
    expect(store.get()).toMatchObject({
      schemaVersion: 5,
      upstreams: ['http://127.0.0.1:8188'],
      listenPort: 8189,
      allowedOrigins: [],
      allowedHosts: [],
      theme: 'system',
      startAtLogin: false,
      cloud: { environment: 'production', customBaseUrl: null },
      encryptedSecrets: {},
    });
    expect(JSON.parse(fs.readFileSync(file(), 'utf8')).listenPort).toBe(8189);
    if (process.platform !== 'win32') expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(store.notices).toEqual([]);
  });

  it('several ComfyUI servers keep their order (the first is the primary); host names are kept lowercase', () => {
    const store = createSettingsStore({ cwd: dir });
    store.update({ upstreams: ['http://gpu-2:8188', 'https://gpu-1.lan:8443'], allowedHosts: ['GPU-Box.tailnet.ts.net', 'gpu-box:9000', '192.168.1.20', '[fd00::1]:9000'] });
    const reopened = createSettingsStore({ cwd: dir }).get();
    expect(reopened.upstreams).toEqual(['http://gpu-2:8188', 'https://gpu-1.lan:8443']);
    expect(reopened.allowedHosts).toEqual(['gpu-box.tailnet.ts.net', 'gpu-box:9000', '192.168.1.20', '[fd00::1]:9000']);
  });

  it('shared input folders are stored normalised, and a folder outside the input folder or a key’s own is refused', () => {
    const store = createSettingsStore({ cwd: dir });
    store.update({ sharedInputFolders: ['team/', ' /refs//faces '] });
    expect(createSettingsStore({ cwd: dir }).get().sharedInputFolders).toEqual(['team', 'refs/faces']);
    expectRejected(() => store.update({ sharedInputFolders: ['../x'] }), 'sharedInputFolders.0: “../x” holds "." or ".."');
    expectRejected(() => store.update({ sharedInputFolders: ['private-AAAAAAAAAAAAAAAAAAAAAA'] }), "is an access key's private upload folder");
    expectRejected(() => store.update({ sharedInputFolders: ['team', 'team/'] }), 'sharedInputFolders.1: “team” is listed twice.');
    expect(createSettingsStore({ cwd: dir }).get().sharedInputFolders).toEqual(['team', 'refs/faces']);
  });

  it('a change survives reopening the store', () => {
    createSettingsStore({ cwd: dir }).update({ listenPort: 9100, theme: 'dark', cloud: { environment: 'staging' } });
    const reopened = createSettingsStore({ cwd: dir }).get();
    expect(reopened.listenPort).toBe(9100);
    expect(reopened.theme).toBe('dark');
    expect(reopened.cloud.environment).toBe('staging');
  });

  it('invalid values are refused with a message naming the field, and nothing is written', () => {
    const store = createSettingsStore({ cwd: dir });
    const before = fs.readFileSync(file(), 'utf8');
    expectRejected(() => store.update({ upstreams: ['ftp://host'] }), 'upstreams.0: “ftp://host” must start with http:// or https://.');
    expectRejected(() => store.update({ upstreams: ['http://a:8188', 'http://user:pw@host:8188'] }), 'upstreams.1: “http://user:pw@host:8188” must not contain a user name or password');
    expectRejected(() => store.update({ upstreams: [] }), 'At least one ComfyUI server is needed.');
    expectRejected(() => store.update({ upstreams: ['http://gpu:8188', 'http://GPU:8188/'] }), 'upstreams.1: http://GPU:8188/ is listed twice');
    expectRejected(() => store.update({ upstreams: Array.from({ length: 9 }, (_, i) => `http://box${i}:8188`) }), 'At most 8 ComfyUI servers');
    expectRejected(() => store.update({ allowedHosts: ['http://gpu-box'] }), 'allowedHosts.0: “http://gpu-box” must be a host name');
    expectRejected(() => store.update({ allowedHosts: ['localhost:9000'] }), 'is this computer, which is always allowed');
    expectRejected(() => store.update({ allowedHosts: ['*.ts.net'] }), 'wildcards are not supported');
    expectRejected(() => store.update({ allowedHosts: ['gpu-box:70000'] }), 'the port must be between 1 and 65535');
    expectRejected(() => store.update({ allowedHosts: ['gpu box'] }), 'is not a host name');
    expectRejected(() => store.update({ allowedHosts: ['a.example', 'A.example'] }), 'allowedHosts.1: “A.example” is listed twice.');
    expectRejected(() => store.update({ listenPort: 70000 }), 'listenPort');
    expectRejected(() => store.update({ listenPort: 80.5 }), 'listenPort');
    expectRejected(() => store.update({ theme: 'neon' as never }), 'theme');
    expectRejected(() => store.update({ allowedOrigins: ['http://localhost:3000/path'] }), 'allowedOrigins');
    expectRejected(() => store.update({ cloud: { environment: 'custom' } }), 'cloud.customBaseUrl');
    expectRejected(() => store.update({ cloud: { environment: 'custom', customBaseUrl: 'http://evil.example' } }), 'cloud.customBaseUrl');
    expectRejected(() => store.update({ startAtLogin: 'yes' as never }), 'startAtLogin');
    expectRejected(() => store.update({ bogus: 1 } as never), 'bogus');
    expect(fs.readFileSync(file(), 'utf8')).toBe(before);
    expect(store.get().listenPort).toBe(8189);
  });

  it('a custom cloud URL over https, or plain http to localhost, is accepted', () => {
    const store = createSettingsStore({ cwd: dir });
    expect(store.update({ cloud: { environment: 'custom', customBaseUrl: 'https://cloud.example/api' } }).cloud.customBaseUrl).toBe(
      'https://cloud.example/api',
    );
    expect(store.update({ cloud: { customBaseUrl: 'http://127.0.0.1:9000/v1' } }).cloud.environment).toBe('custom');
  });

  it('subscribers hear about each change', () => {
    const store = createSettingsStore({ cwd: dir });
    const seen: number[] = [];
    const off = store.onChange((s) => seen.push(s.listenPort));
    store.update({ listenPort: 9001 });
    store.update({ listenPort: 9002 });
    off();
    store.update({ listenPort: 9003 });
    expect(seen).toEqual([9001, 9002]);
  });
});

describe('a corrupt settings file', () => {
  it('bad JSON is backed up beside itself, settings reset, and a notice says where the backup is', () => {
    fs.writeFileSync(file(), '{"listenPort": 9000,, oops');
    const store = createSettingsStore({ cwd: dir, now: () => Date.UTC(2026, 0, 2, 3, 4, 5) });
    expect(store.get().listenPort).toBe(8189);
    expect(store.notices).toHaveLength(1);
    const notice = store.notices[0]!;
    expect(notice.kind).toBe('reset');
    expect(notice.backupPath).toBe(`${file()}.corrupt-2026-01-02T03-04-05-000Z`);
    expect(notice.message).toContain('not valid JSON');
    expect(notice.message).toContain(notice.backupPath);
    expect(fs.readFileSync(notice.backupPath!, 'utf8')).toBe('{"listenPort": 9000,, oops');
    expect(settingsSchema.safeParse(JSON.parse(fs.readFileSync(file(), 'utf8'))).success).toBe(true);
  });

  it('values of the wrong type are backed up and reset, the notice naming the field', () => {
    fs.writeFileSync(file(), JSON.stringify({ schemaVersion: 5, listenPort: 'http', theme: 'dark' }));
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().listenPort).toBe(8189);
    expect(store.notices[0]?.message).toContain('listenPort');
    expect(JSON.parse(fs.readFileSync(store.notices[0]!.backupPath!, 'utf8')).listenPort).toBe('http');
  });

  it('two resets in the same millisecond keep both backups', () => {
    const now = () => 1_000;
    fs.writeFileSync(file(), 'first');
    createSettingsStore({ cwd: dir, now });
    fs.writeFileSync(file(), 'second');
    createSettingsStore({ cwd: dir, now });
    const backups = fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'));
    expect(backups).toHaveLength(2);
    expect(backups.map((b) => fs.readFileSync(path.join(dir, b), 'utf8')).sort()).toEqual(['first', 'second']);
  });

  it('a file broken while the app runs is backed up on the next change and the last good settings kept', () => {
    const store = createSettingsStore({ cwd: dir });
    store.update({ listenPort: 9555 });
    const notices: string[] = [];
    store.onNotice((n) => notices.push(n.message));
    fs.writeFileSync(file(), '<<garbage>>');
    const after = store.update({ theme: 'light' });
    expect(after.listenPort).toBe(9555);
    expect(after.theme).toBe('light');
    expect(notices).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(file(), 'utf8')).listenPort).toBe(9555);
    expect(fs.readdirSync(dir).some((f) => f.includes('.corrupt-'))).toBe(true);
  });
});

describe('concurrent writers', () => {
  it('two stores on the same file, many alternating changes: the file stays valid and keeps both writers’ fields', () => {
    const a = createSettingsStore({ cwd: dir });
    const b = createSettingsStore({ cwd: dir });
    for (let i = 0; i < 60; i++) {
      a.update({ listenPort: 9000 + i });
      b.update({ theme: i % 2 === 0 ? 'dark' : 'light' });
    }
    const onDisk = settingsSchema.parse(JSON.parse(fs.readFileSync(file(), 'utf8')));
    expect(onDisk.listenPort).toBe(9059);
    expect(onDisk.theme).toBe('light');
    expect(fs.readdirSync(dir).filter((f) => f !== 'settings.json')).toEqual([]);
  });

  it('two threads writing the same file at once never leave a half-written file', async () => {
    createSettingsStore({ cwd: dir });
    // Each thread is a separate Conf writer (as a second process would be); the main thread reads
    // the file continuously while they write.
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.confUrl).then(({ default: Conf }) => {
        const conf = new Conf({ cwd: workerData.dir, configName: 'settings', configFileMode: 0o600 });
        for (let i = 0; i < 120; i++) conf.store = { ...conf.store, listenPort: 1000 + workerData.id * 1000 + i };
        parentPort.postMessage('done');
      });`;
    const confUrl = import.meta.resolve('conf');
    const workers = [1, 2].map((id) => new Worker(code, { eval: true, workerData: { dir, id, confUrl } }));
    const finished = Promise.all(workers.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); })));
    let reads = 0;
    let done = false;
    void finished.then(() => (done = true));
    while (!done) {
      const text = fs.readFileSync(file(), 'utf8');
      expect(() => settingsSchema.parse(JSON.parse(text))).not.toThrow();
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    await finished;
    expect(reads).toBeGreaterThan(0);
    const final = settingsSchema.parse(JSON.parse(fs.readFileSync(file(), 'utf8')));
    expect([2119, 3119]).toContain(final.listenPort);
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it('the store class is pluggable (as main/app passes ElectronStore) and receives both name options', () => {
    const seen: BackingStoreOptions[] = [];
    class RecordingConf extends Conf<Record<string, unknown>> {
      constructor(options: BackingStoreOptions) {
        seen.push(options);
        super(options);
      }
    }
    const store = createSettingsStore({ cwd: dir, StoreClass: RecordingConf });
    store.update({ theme: 'dark' });
    expect(seen).toEqual([{ cwd: dir, configName: 'settings', name: 'settings', configFileMode: 0o600, clearInvalidConfig: false }]);
    expect(JSON.parse(fs.readFileSync(file(), 'utf8')).theme).toBe('dark');
  });
});
