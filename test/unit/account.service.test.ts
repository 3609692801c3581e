// Login and logout as the tray and the renderer use them: the ComfyUI key checked with every server on an
// authenticated ComfyUI endpoint, Comfy Cloud login, the three logouts, status hints and events.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccountService, type AccountStatus } from '../../main/account/accountService';
import { createUpstreamProber } from '../../main/account/upstreamProbe';
import { CloudClient } from '../../main/cloud/cloudClient';
import { CompanionError } from '../../main/common/errors';
import { MemorySecretStore } from '../../main/secrets/memorySecretStore';
import { createSettingsStore, type SettingsStore } from '../../main/settings/settingsStore';
import { startFakeCloud, type FakeCloud } from '../fixtures/fakeCloud';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';

const UPSTREAM_KEY = `upstream-${crypto.randomBytes(16).toString('hex')}`;
const CLOUD_KEY = `comfyui-${crypto.randomBytes(24).toString('base64url')}`;

let dir: string;
let comfy: FakeComfy;
let cloud: FakeCloud;
let settings: SettingsStore;
let secrets: MemorySecretStore;
let revoked: number;
let events: AccountStatus[];

function makeService(store = secrets): AccountService {
  return new AccountService({
    secrets: store,
    settings,
    cloud: new CloudClient({ billingBaseUrl: cloud.billingUrl, retry: { maxAttempts: 1 } }),
    probeUpstream: createUpstreamProber({ timeoutMs: 5000 }),
    sessions: { revokeAll: () => (revoked += 3, 3) },
    onChange: (s) => events.push(s),
  });
}
const cloudLogin = () => ({ key: CLOUD_KEY, environment: 'custom' as const, customBaseUrl: cloud.baseUrl });

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-account-'));
  comfy = await startFakeComfy({ requireKey: UPSTREAM_KEY });
  cloud = await startFakeCloud();
  cloud.accounts.set(CLOUD_KEY, { id: 'acct_9', email: 'grace@example.com', name: 'Grace' });
  cloud.balances.set(CLOUD_KEY, { amount_micros: 4_200_000, currency: 'usd' });
  settings = createSettingsStore({ cwd: dir });
  secrets = new MemorySecretStore();
  revoked = 0;
  events = [];
});
afterEach(async () => {
  await comfy.close();
  await cloud.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the ComfyUI key', () => {
  it('a correct key is checked on /system_stats with every server, then saved', async () => {
    settings.update({ upstreams: [`${comfy.url}`] });
    const account = makeService();
    const result = await account.saveUpstreamKey({ key: ` ${UPSTREAM_KEY} `, remember: true });
    expect(result).toMatchObject({ saved: true, message: 'Saved. The key was accepted by ComfyUI.' });
    expect(result.checks).toEqual([expect.objectContaining({ url: comfy.url, reachable: true, keyAccepted: true, comfyuiVersion: '0.3.40' })]);
    expect(result.checks[0]?.device).toBeTruthy();
    const probeReq = comfy.received.find((r) => r.url.startsWith('/system_stats'));
    expect(probeReq?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(await secrets.get('upstream_key')).toBe(UPSTREAM_KEY);
    expect(account.getUpstreamKey()).toBe(UPSTREAM_KEY);
    expect(account.status().upstream).toEqual({ url: comfy.url, urls: [comfy.url], keyHint: expect.stringMatching(/…/) as unknown as string, keyRemembered: true });
    expect(events.at(-1)?.upstream.keyHint).toBe(account.status().upstream.keyHint);
  });

  it('a key one server refuses is not saved, even when another accepts it; the message names the server, never the key', async () => {
    const open = await startFakeComfy();
    try {
      settings.update({ upstreams: [open.url, comfy.url] });
      const account = makeService();
      const result = await account.saveUpstreamKey({ key: 'wrong-key-0123456789', remember: true });
      expect(result.saved).toBe(false);
      expect(result.checks.map((c) => [c.url, c.keyAccepted])).toEqual([[open.url, true], [comfy.url, false]]);
      expect(result.message).toBe(`ComfyUI at ${comfy.url} refused this key. Nothing was saved.`);
      expect(JSON.stringify(result)).not.toContain('wrong-key');
      expect(await secrets.get('upstream_key')).toBeNull();
      expect(account.getUpstreamKey()).toBeNull();
      expect(events).toEqual([]);
      const right = await account.saveUpstreamKey({ key: UPSTREAM_KEY, remember: true });
      expect(right).toMatchObject({ saved: true, message: 'Saved. The key was accepted by all 2 servers.' });
    } finally {
      await open.close();
    }
  });

  it('no key for a server that demands one says a key is required', async () => {
    settings.update({ upstreams: [comfy.url] });
    const result = await makeService().saveUpstreamKey({ key: '', remember: true });
    expect(result).toMatchObject({ saved: false, message: `ComfyUI at ${comfy.url} asks for a key. Nothing was saved.` });
  });

  it('with no server answering the key cannot be checked; it is kept, and the message says so', async () => {
    settings.update({ upstreams: [comfy.url] });
    await comfy.stop();
    const account = makeService();
    const result = await account.saveUpstreamKey({ key: UPSTREAM_KEY, remember: true });
    expect(result).toMatchObject({ saved: true, message: 'Saved. No ComfyUI server answered, so the key could not be checked yet.' });
    expect(result.checks[0]).toMatchObject({ reachable: false, keyAccepted: null });
    expect(result.checks[0]?.message).toContain('Cannot reach ComfyUI');
    expect(account.getUpstreamKey()).toBe(UPSTREAM_KEY);
  });

  it('"remember" off keeps the key for this session only and forgets a previously remembered one', async () => {
    settings.update({ upstreams: [comfy.url] });
    await secrets.set('upstream_key', 'old-remembered-key-123456');
    const account = makeService();
    await account.load();
    expect((await account.saveUpstreamKey({ key: UPSTREAM_KEY, remember: false })).saved).toBe(true);
    expect(account.getUpstreamKey()).toBe(UPSTREAM_KEY);
    expect(await secrets.get('upstream_key')).toBeNull();
    expect(account.status().upstream.keyRemembered).toBe(false);
    const afterRestart = makeService();
    await afterRestart.load();
    expect(afterRestart.getUpstreamKey()).toBeNull();
  });
});

describe('cloud login', () => {
  it('a valid key returns the account and credits, and is stored with the environment', async () => {
    const account = makeService();
    const result = await account.loginCloud(cloudLogin());
    expect(result).toEqual({
      account: { id: 'acct_9', email: 'grace@example.com', name: 'Grace', plan: 'pro' },
      credits: { amountMicros: 4_200_000, currency: 'usd' },
    });
    expect(await secrets.get('cloud_key')).toBe(CLOUD_KEY);
    expect(account.getCloudKey()).toBe(CLOUD_KEY);
    expect(settings.get().cloud).toMatchObject({ environment: 'custom', customBaseUrl: cloud.baseUrl });
    const status = account.status();
    expect(status.cloud).toMatchObject({ loggedIn: true, environment: 'custom', account: { email: 'grace@example.com' } });
    expect(status.cloud.keyHint).toMatch(/^comfyui-..…....$/);
  });

  it('a rejected key shows the server’s message and nothing is stored', async () => {
    const err = await makeService()
      .loginCloud({ ...cloudLogin(), key: 'comfyui-RevokedKey0123456789abc' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompanionError);
    expect(err).toMatchObject({ code: 'unauthorized', message: 'Invalid or expired API key' });
    expect(await secrets.get('cloud_key')).toBeNull();
    expect(settings.get().cloud.environment).toBe('production');
  });

  it('credits that cannot be read do not undo a valid login', async () => {
    cloud.script('/customers/balance', { status: 500 });
    const result = await makeService().loginCloud(cloudLogin());
    expect(result.credits).toBeUndefined();
    expect(await secrets.get('cloud_key')).toBe(CLOUD_KEY);
  });

  it('refreshing after a restart re-reads the account; a key revoked on the platform logs out', async () => {
    await makeService().loginCloud(cloudLogin());
    const restarted = makeService();
    await restarted.load();
    expect(restarted.status().cloud.account).toBeUndefined();
    await restarted.refreshCloud();
    expect(restarted.status().cloud.account?.name).toBe('Grace');
    cloud.accounts.delete(CLOUD_KEY);
    await expect(restarted.refreshCloud()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(restarted.getCloudKey()).toBeNull();
    expect(await secrets.get('cloud_key')).toBeNull();
  });
});

describe('logout', () => {
  async function loggedIn(): Promise<AccountService> {
    await secrets.set('admin_key', 'admin-key-0123456789abcdef');
    const account = makeService();
    settings.update({ upstreams: [comfy.url] });
    await account.saveUpstreamKey({ key: UPSTREAM_KEY, remember: true });
    await account.loginCloud(cloudLogin());
    return account;
  }

  it('logging out of Comfy Cloud removes only the cloud key', async () => {
    const account = await loggedIn();
    await account.logoutCloud();
    expect(account.getCloudKey()).toBeNull();
    expect(await secrets.get('cloud_key')).toBeNull();
    expect(account.getUpstreamKey()).toBe(UPSTREAM_KEY);
    expect(account.status().cloud).toMatchObject({ loggedIn: false, keyHint: null });
    expect(account.status().cloud.account).toBeUndefined();
  });

  it('logging out browser sessions revokes them through the proxy and keeps the keys', async () => {
    const account = await loggedIn();
    expect(await account.logoutBrowserSessions()).toBe(3);
    expect(revoked).toBe(3);
    expect(account.getCloudKey()).toBe(CLOUD_KEY);
  });

  it('logging out of everything clears cloud and upstream keys and sessions, and keeps the admin key', async () => {
    const account = await loggedIn();
    const result = await account.logoutEverything();
    expect(result).toEqual({ sessionsRevoked: 3, adminKeyDeleted: false });
    expect(account.getCloudKey()).toBeNull();
    expect(account.getUpstreamKey()).toBeNull();
    expect(await secrets.get('cloud_key')).toBeNull();
    expect(await secrets.get('upstream_key')).toBeNull();
    expect(await secrets.get('admin_key')).toBe('admin-key-0123456789abcdef');
    expect(settings.get().upstreams).toEqual([comfy.url]); // the URL is not a secret
    expect(events.at(-1)?.cloud.loggedIn).toBe(false);
  });

  it('asked explicitly, logging out of everything deletes the admin key too', async () => {
    const account = await loggedIn();
    expect((await account.logoutEverything({ includeAdminKey: true })).adminKeyDeleted).toBe(true);
    expect(await secrets.get('admin_key')).toBeNull();
  });

  it('subscribers hear every change and can unsubscribe', async () => {
    const account = makeService();
    const seen: boolean[] = [];
    const off = account.subscribe((s) => seen.push(s.cloud.loggedIn));
    await account.loginCloud(cloudLogin());
    await account.logoutCloud();
    off();
    await account.loginCloud(cloudLogin());
    expect(seen).toEqual([true, false]);
  });
});

describe('status', () => {
  it('carries hints and the secret backend, never a secret', async () => {
    const account = makeService();
    settings.update({ upstreams: [comfy.url] });
    await account.saveUpstreamKey({ key: UPSTREAM_KEY, remember: true });
    await account.loginCloud(cloudLogin());
    const text = JSON.stringify([account.status(), events]);
    expect(text).not.toContain(UPSTREAM_KEY);
    expect(text).not.toContain(CLOUD_KEY);
    expect(account.status().secretBackend).toEqual({ kind: 'memory', persistent: false, reason: 'Secrets are kept for this session only' });
  });

  it('a stored secret that cannot be read becomes a warning, not a crash', async () => {
    const broken = new MemorySecretStore();
    broken.get = async () => {
      throw new CompanionError('unavailable', 'Stored cloud_key could not be decrypted; please enter it again');
    };
    const account = makeService(broken);
    await account.load();
    expect(account.getCloudKey()).toBeNull();
    expect(account.status().warnings).toContain('Stored cloud_key could not be decrypted; please enter it again');
  });
});
