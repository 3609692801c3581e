// The main-side handlers behind the IPC contract, over the real key store, settings and monitor:
// requests are validated (field issues come back), secrets leave only through keys:create/rotate,
// and external links are opened by allow-listed id only.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountService } from '../../main/account/accountService';
import { createCompanionApi, invokeHandler, type CompanionApiDeps } from '../../main/api/companionApi';
import { createHomeState } from '../../main/api/homeState';
import { CloudClient } from '../../main/cloud/cloudClient';
import { openKeyServices, type KeyServices } from '../../main/keys/keyServices';
import { MonitorService } from '../../main/monitor/monitorService';
import { MemorySecretStore } from '../../main/secrets/memorySecretStore';
import { createSettingsStore, type SettingsStore } from '../../main/settings/settingsStore';
import { UpstreamServers } from '../../main/account/upstreamServers';
import { createUpstreamProber } from '../../main/account/upstreamProbe';
import type { AppStatus, Channel, CompanionEvent, ContractHandlers } from '../../preload/contract';

let dir: string;
let keys: KeyServices;
let api: ContractHandlers;
let quits = 0;
let settingsStore: SettingsStore;
const opened: string[] = [];
const events: CompanionEvent[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'companion-api-'));
  keys = openKeyServices({ dataDir: dir, watch: false });
  const settings = createSettingsStore({ cwd: dir });
  const account = new AccountService({ secrets: new MemorySecretStore(), settings, cloud: new CloudClient(), sessions: { revokeAll: () => 0 } });
  const monitor = new MonitorService({ upstream: () => settings.get().upstreams[0] ?? '' });
  settingsStore = settings;
  opened.length = 0;
  events.length = 0;
  quits = 0;
  const deps: CompanionApiDeps = {
    keys: keys.store,
    usage: keys.usage,
    limiter: keys.limiter,
    settings,
    account,
    upstreams: new UpstreamServers({ settings, probe: createUpstreamProber(), key: () => account.getUpstreamKey() }),
    monitor,
    proxy: { status: () => ({ state: 'running', url: 'http://127.0.0.1:8189', port: 8189, error: null, version: 't' }), pause: async () => {}, resume: async () => {} },
    sessions: { count: () => 2 },
    home: createHomeState(settings, { upstreamConnected: () => true, keyCount: () => keys.store.list().length }),
    openExternal: async (url) => void opened.push(url),
    quit: () => void quits++,
    emit: (e) => events.push(e),
  };
  api = createCompanionApi(deps);
});

afterEach(async () => {
  await keys.close();
  await rm(dir, { recursive: true, force: true });
});

const call = (channel: Channel, req?: unknown) => invokeHandler(api, channel, req);

describe('IPC handlers', () => {
  it('a created key secret is returned once; lists and usage never carry it', async () => {
    const created = await call('keys:create', { name: 'bot', rateLimit: 10, metadata: { owner: 'me' }, scopes: ['read'] });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const { secret, key } = created.value as { secret: string; key: { id: string; rateLimit: number; scopes: string[]; metadata: object } };
    expect(secret).toMatch(/^comfy_/);
    expect(key).toMatchObject({ rateLimit: 10, scopes: ['read'], metadata: { owner: 'me' } });
    const list = await call('keys:list');
    const usage = await call('keys:usage', { id: key.id });
    expect(JSON.stringify([list, usage])).not.toContain(secret);
    const rotated = await call('keys:rotate', { id: key.id });
    expect(rotated.ok && (rotated.value as { secret: string }).secret).not.toBe(secret);
  });

  it('refuses malformed requests with invalid_request and names the field', async () => {
    const r = await call('keys:create', { name: '', rateLimit: 0, extra: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_request');
    expect(r.error.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['name', 'rateLimit']));
    const none = await call('keys:revoke', { id: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect(!none.ok && none.error.code).toBe('not_found');
    const extraArg = await call('status:get', { sneaky: 1 });
    expect(!extraArg.ok && extraArg.error.code).toBe('invalid_request');
  });

  it('settings:update returns the settings schema message for the field it names', async () => {
    const r = await call('settings:update', { listenPort: 70000 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.issues).toEqual([{ path: 'listenPort', message: 'The port must be between 1 and 65535.' }]);
    expect(r.error.message).toBe('The port must be between 1 and 65535.');
    const good = await call('settings:update', { theme: 'dark', allowedOrigins: ['http://localhost:5173'] });
    expect(good.ok && good.value).toMatchObject({ theme: 'dark', allowedOrigins: ['http://localhost:5173'] });
    const hosts = await call('settings:update', { allowedHosts: ['GPU-box.tailnet.ts.net', 'gpu-box:9000'] });
    expect(hosts.ok && hosts.value).toMatchObject({ allowedHosts: ['gpu-box.tailnet.ts.net', 'gpu-box:9000'] });
    const badHost = await call('settings:update', { allowedHosts: ['https://gpu-box/'] });
    expect(!badHost.ok && badHost.error.issues).toEqual([{ path: 'allowedHosts.0', message: '“https://gpu-box/” must be a host name such as gpu-box.tailnet.ts.net, without http:// or a path.' }]);
    const unknown = await call('settings:update', { encryptedSecrets: {} });
    expect(!unknown.ok && unknown.error.code).toBe('invalid_request');
  });

  it('opens only allow-listed pages, by id', async () => {
    expect((await call('shell:openExternal', { target: 'platform-login' })).ok).toBe(true);
    const evil = await call('shell:openExternal', { target: 'https://evil.example' });
    expect(!evil.ok && evil.error.code).toBe('invalid_request');
    expect(opened).toEqual(['https://platform.comfy.org/login']);
  });

  it('notifications are turned off one kind at a time, and a wrong type names the setting', async () => {
    const off = await call('settings:update', { notifications: { jobs: false } });
    expect(off.ok && off.value).toMatchObject({ notifications: { jobs: false, upstream: true } });
    const bad = await call('settings:update', { notifications: { upstream: 'yes' } });
    expect(!bad.ok && bad.error.issues).toEqual([{ path: 'notifications.upstream', message: 'ComfyUI connection notifications must be on or off.' }]);
  });

  it('the status carries sessions, key counts, the upstream exposure and the first-run checklist', async () => {
    const first = (await call('status:get')) as { ok: true; value: AppStatus };
    expect(first.value.sessions).toBe(2);
    expect(first.value.upstream.loopback).toBe(true);
    expect(first.value.setup).toEqual({ upstreamConnected: true, keyCreated: false, comfyOpened: false, dismissed: false });
    await call('keys:create', { name: 'first' });
    // Opening ComfyUI through the proxy is the last step; done once, the checklist stays hidden.
    expect((await call('shell:openExternal', { target: 'proxy-ui' })).ok).toBe(true);
    expect(opened).toEqual(['http://127.0.0.1:8189']);
    const done = (await call('status:get')) as { ok: true; value: AppStatus };
    expect(done.value.setup).toMatchObject({ keyCreated: true, comfyOpened: true, dismissed: true });
    expect(done.value.keys).toEqual({ total: 1, active: 1 });
    // The servers are edited only through upstreams:* (checked first), never through settings:update.
    const sneaky = await call('settings:update', { upstreams: ['http://192.168.1.20:8188'] });
    expect(!sneaky.ok && sneaky.error.code).toBe('invalid_request');
    settingsStore.update({ upstreams: ['http://127.0.0.1:8188', 'http://192.168.1.20:8188', 'http://gpu-box:8188'] });
    const lan = (await call('status:get')) as { ok: true; value: AppStatus };
    expect(lan.value.upstream).toMatchObject({ url: 'http://127.0.0.1:8188', loopback: false, remote: ['192.168.1.20:8188', 'gpu-box:8188'] });
    expect(lan.value.upstream.urls).toHaveLength(3);
  });

  it('the checklist can be dismissed; an unknown notice id is not_found; quit is passed on', async () => {
    const r = (await call('setup:dismiss')) as { ok: true; value: AppStatus };
    expect(r.value.setup.dismissed).toBe(true);
    const notice = await call('notice:dismiss', { id: 'settings-reset-1-0' });
    expect(!notice.ok && notice.error.code).toBe('not_found');
    expect((await call('app:quit')).ok).toBe(true);
    await vi.waitFor(() => expect(quits).toBe(1));
  });

  it('an internal failure crosses as a generic internal error, not its details', async () => {
    const broken = { ...api, 'keys:list': async () => { throw new Error('ENOENT /home/me/secret/path'); } };
    const r = await invokeHandler(broken, 'keys:list', undefined);
    expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'Internal error' } });
  });
});
