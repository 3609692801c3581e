// The desktop runtime composed from the real services (no Electron): it starts the proxy from saved
// settings, serves keys created through the IPC handlers, pauses and resumes, reports tray state, logs
// browsers out, and flushes on close.
import Conf from 'conf';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCompanion } from '../../main/compose/companion';
import { createSettingsStore, type BackingStoreClass } from '../../main/settings/settingsStore';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { basicTextSafeStorage } from '../fixtures/fakeSafeStorage';
import { request } from '../helpers/http';
import { createServer, type Server } from 'node:net';
import type { AppStatus } from '../../preload/contract';

async function listenOn(port = 0): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return server;
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
const closeServer = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));


let fake: FakeComfy;
let dataDir: string;
let runtime: Awaited<ReturnType<typeof createCompanion>>;
const opened: string[] = [];
const startAtLogin: boolean[] = [];

beforeAll(async () => {
  fake = await startFakeComfy();
  dataDir = await mkdtemp(join(tmpdir(), 'cac-runtime-'));
  // Saved settings point at the fake upstream, as the Settings view would have left them.
  createSettingsStore({ cwd: dataDir }).update({ upstreams: [fake.url] });
  runtime = await createCompanion({
    dataDir,
    appVersion: '9.9.9-test',
    safeStorage: basicTextSafeStorage,
    StoreClass: Conf as unknown as BackingStoreClass,
    openExternal: async (url) => {
      opened.push(url);
    },
    keyring: null,
    listenPortOverride: 0,
    setStartAtLogin: (on) => void startAtLogin.push(on),
  });
  await runtime.start();
});
afterAll(async () => {
  await runtime.close();
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('desktop runtime', () => {
  it('starts the proxy from the saved upstream and reports running in the tray state', () => {
    const s = runtime.status();
    expect(s.proxy).toBe('running');
    expect(s.proxyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.upstream.url).toBe(fake.url);
  });

  it('serves a key created through the IPC handlers, and refuses it after revoke', async () => {
    const created = await runtime.handlers['keys:create']({ name: 'script', rateLimit: 50 });
    const url = runtime.proxyUrl() as string;
    const ok = await request(`${url}/queue`, { headers: { authorization: `Bearer ${created.secret}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.ratelimit).toMatch(/^"requests";r=599;/);
    expect(runtime.status().keys).toBe(1);
    await runtime.handlers['keys:revoke']({ id: created.key.id });
    const refused = await request(`${url}/queue`, { headers: { authorization: `Bearer ${created.secret}` } });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('revoked');
  });

  it('pauses (nothing listens) and resumes on the same services', async () => {
    const created = await runtime.handlers['keys:create']({ name: 'survives pause' });
    const before = runtime.proxyUrl() as string;
    await runtime.pause();
    expect(runtime.status().proxy).toBe('paused');
    await expect(request(`${before}/health`)).rejects.toThrow();
    await runtime.resume();
    const after = runtime.proxyUrl() as string;
    expect(after).toBe(before);
    const res = await request(`${after}/queue`, { headers: { 'x-api-key': created.secret } });
    expect(res.status).toBe(200);
  });

  it('tells where secrets are kept, and keeps them for the session only on basic_text', async () => {
    const status = await runtime.handlers['status:get'](undefined);
    expect(status.secretBackend.kind).toBe('memory');
    expect(status.secretBackend.persistent).toBe(false);
    expect(JSON.stringify(status)).not.toMatch(/comfy_admin_/);
  });

  it('logs every browser session out', async () => {
    const created = await runtime.handlers['keys:create']({ name: 'browser' });
    const url = runtime.proxyUrl() as string;
    const login = await request(`${url}/auth/login`, {
      method: 'POST',
      headers: { origin: url, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: created.secret, remember: false }),
    });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    expect((await request(`${url}/queue`, { headers: { cookie } })).status).toBe(200);
    expect(runtime.status().sessions).toBe(1);
    const out = await runtime.handlers['session:logoutBrowsers'](undefined);
    expect(out.revoked).toBe(1);
    expect((await request(`${url}/queue`, { headers: { cookie } })).status).toBe(401);
  });

  it('applies "Start at sign-in" at start and whenever the setting changes', async () => {
    expect(startAtLogin).toEqual([false]);
    await runtime.handlers['settings:update']({ startAtLogin: true });
    await runtime.handlers['settings:update']({ theme: 'dark' });
    await runtime.handlers['settings:update']({ startAtLogin: false });
    expect(startAtLogin).toEqual([false, true, false]);
  });

  it('opens only allow-listed external pages', async () => {
    await runtime.handlers['shell:openExternal']({ target: 'platform-login' });
    expect(opened).toContain('https://platform.comfy.org/login');
  });

  it('a port in use is reported with its reason (not as "stopped"), and choosing another port starts the proxy', async () => {
    const blocker = await listenOn();
    const busy = portOf(blocker);
    const statuses: AppStatus[] = [];
    const stop = runtime.subscribe((e) => e.type === 'status' && statuses.push(e.status));
    runtime.settings.update({ listenPort: busy });
    await vi.waitFor(() => expect(runtime.status().proxy).toBe('error'));
    const status = await runtime.handlers['status:get'](undefined);
    expect(status.proxy).toMatchObject({ state: 'error', port: busy, url: null, error: { code: 'port_in_use' } });
    expect(status.proxy.error?.message).toContain(`Port ${busy} is already used by another program`);
    expect(runtime.status().error).toBe(`port ${busy} is in use`);
    expect(statuses.some((s) => s.proxy.state === 'error')).toBe(true);
    // Retry while still in use: still the same reason.
    await runtime.handlers['proxy:resume'](undefined);
    expect(runtime.status().proxy).toBe('error');
    // A free port, chosen in the window, starts it at once.
    const probe = await listenOn();
    const free = portOf(probe);
    await closeServer(probe);
    runtime.settings.update({ listenPort: free });
    await vi.waitFor(() => expect(runtime.status().proxy).toBe('running'));
    expect(runtime.proxyUrl()).toBe(`http://127.0.0.1:${free}`);
    expect((await request(`${runtime.proxyUrl()}/health`)).status).toBeLessThan(600);
    stop();
    await closeServer(blocker);
  });
});
