// A full login → logout cycle with a temp data dir and the safeStorage backend (secrets encrypted
// into settings.json): at every step, `grep -r` over the data dir finds no secret in the clear.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountService } from '../../main/account/accountService';
import { createUpstreamProber } from '../../main/account/upstreamProbe';
import { CloudClient } from '../../main/cloud/cloudClient';
import { chooseSecretStore } from '../../main/secrets/chooseSecretStore';
import type { SafeStorageAdapter } from '../../main/secrets/safeStorageSecretStore';
import { createSettingsStore } from '../../main/settings/settingsStore';
import { startFakeCloud, type FakeCloud } from '../fixtures/fakeCloud';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';

const UPSTREAM_KEY = `UPSTREAMSECRET${crypto.randomBytes(16).toString('hex')}`;
const CLOUD_KEY = `comfyui-CLOUDSECRET${crypto.randomBytes(18).toString('base64url')}`;
const ADMIN_KEY = `comfy_ADMINSECRET${crypto.randomBytes(16).toString('base64url')}`;
const SECRETS = [UPSTREAM_KEY, CLOUD_KEY, ADMIN_KEY];

function aesSafeStorage(): SafeStorageAdapter {
  const key = crypto.randomBytes(32);
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => 'gnome_libsecret',
    encryptString(plain) {
      const iv = crypto.randomBytes(12);
      const c = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(buf) {
      const d = crypto.createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

/** Files under dir that contain `needle` in the clear or base64-encoded, according to grep. */
function grepDataDir(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const pattern of [needle, Buffer.from(needle).toString('base64')]) {
    try {
      hits.push(...execFileSync('grep', ['-r', '-l', '-F', '-a', '--', pattern, dir], { encoding: 'utf8' }).split('\n').filter(Boolean));
    } catch (err) {
      if ((err as { status?: number }).status !== 1) throw err; // 1 = no match; anything else is a grep failure
    }
  }
  return hits;
}

let dir: string;
let comfy: FakeComfy;
let cloud: FakeCloud;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-nosecrets-'));
  comfy = await startFakeComfy({ requireKey: UPSTREAM_KEY });
  cloud = await startFakeCloud();
  cloud.accounts.set(CLOUD_KEY, { id: 'acct_1', email: 'lin@example.com', name: 'Lin' });
  cloud.balances.set(CLOUD_KEY, { amount_micros: 10, currency: 'usd' });
});
afterAll(async () => {
  await comfy.close();
  await cloud.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('no secret in the clear on disk through a login/logout cycle', () => {
  it('grep finds none of the secrets in the data dir after login, restart, and logout', async () => {
    const settings = createSettingsStore({ cwd: dir });
    const secrets = await chooseSecretStore({
      keyring: null, // force the backend that writes into the data dir
      safeStorage: aesSafeStorage(),
      encryptedSecrets: settings.encryptedSecretsSink(),
      platform: 'linux',
    });
    expect(secrets.info.kind).toBe('safeStorage');
    const account = new AccountService({
      secrets,
      settings,
      cloud: new CloudClient({ billingBaseUrl: cloud.billingUrl }),
      probeUpstream: createUpstreamProber(),
      sessions: { revokeAll: () => 0 },
    });
    await secrets.set('admin_key', ADMIN_KEY);
    settings.update({ upstreams: [comfy.url] });
    expect((await account.saveUpstreamKey({ key: UPSTREAM_KEY, remember: true })).saved).toBe(true);
    await account.loginCloud({ key: CLOUD_KEY, environment: 'custom', customBaseUrl: cloud.baseUrl });

    // Logged in: the secrets exist (as ciphertext) but grep sees none of them.
    expect(Object.keys(settings.get().encryptedSecrets).sort()).toEqual(['admin_key', 'cloud_key', 'upstream_key']);
    for (const s of SECRETS) expect(grepDataDir(dir, s), 'after login').toEqual([]);
    // The grep itself works: it finds a value that is on disk.
    expect(grepDataDir(dir, comfy.url)).toEqual([path.join(dir, 'settings.json')]);

    // A restart reads them back from the ciphertext.
    const restarted = new AccountService({ secrets, settings: createSettingsStore({ cwd: dir }), cloud: new CloudClient(), sessions: { revokeAll: () => 0 } });
    await restarted.load();
    expect(restarted.getUpstreamKey()).toBe(UPSTREAM_KEY);
    expect(restarted.getCloudKey()).toBe(CLOUD_KEY);

    await account.logoutEverything();
    expect(Object.keys(settings.get().encryptedSecrets)).toEqual(['admin_key']);
    for (const s of SECRETS) expect(grepDataDir(dir, s), 'after logout').toEqual([]);
    if (process.env.CAC_PRINT_GREP_EVIDENCE) {
      console.log(`data dir ${dir}: ${fs.readdirSync(dir).join(', ')}; grep -r for each secret: no match`);
    }
  });
});
