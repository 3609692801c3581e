// Admin-only routes and the control plane (SPEC §8.4, §8.5): ComfyUI-Manager in every spelling and method,
// /free, /internal/* and POST /users answer 403 to read and generate keys and never reach ComfyUI (the web
// UI's own log requests get a stand-in instead: sharing.keyStatus.test.ts); admin's
// requests are forwarded. Key management and all-keys usage refuse the admin's browser session (the page runs
// every custom node's JavaScript) and accept the admin key only in a header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { loginJson, sessionCookie, withSession } from './login.helpers';
import { ADMIN, ADMIN_KEY, get, postJson, startSharing, type Err, type TestKey } from './sharing.helpers';

let h: Harness;
let keys: Record<'reader' | 'maker', TestKey>;

beforeAll(async () => {
  ({ h, keys } = await startSharing({ reader: { scopes: ['read'] }, maker: { scopes: ['generate'] } }));
});
afterAll(async () => {
  await h.close();
});

const MANAGER_PATHS = [
  '/manager/reboot',
  '/api/manager/reboot',
  '/v2/manager/queue/start',
  '/api/v2/manager/queue/install',
  '/customnode/install/git_url?url=https://example.invalid/x.git',
  '/api/customnode/getlist?mode=local',
  '/v2/customnode/installed',
  '/snapshot/restore?target=x',
  '/api/snapshot/getlist',
  '/externalmodel/getlist?mode=cache',
  '/api/v2/externalmodel/install',
  '/comfyui_manager/anything',
  '/api/comfyui_manager/settings',
  // Percent-encoded, case and slash variants a router may still dispatch to Manager.
  '/%6danager/reboot',
  '/api/%6Danager/reboot',
  '/manager%2Freboot',
  '/api%2Fmanager/reboot',
  '/MANAGER/reboot',
  '//manager/reboot',
  '/api//v2/manager/reboot',
  '/customnode%2finstall/git_url',
  '/v2%2Fmanager/reboot',
  '/manager',
  '/manager.json',
];

describe('ComfyUI-Manager, any spelling, any method', () => {
  it('answers 403 to read and generate keys, and nothing reaches ComfyUI', async () => {
    const before = h.fake.received.length;
    for (const key of [keys.reader, keys.maker]) {
      for (const path of MANAGER_PATHS) {
        for (const method of ['GET', 'POST', 'HEAD', 'PUT', 'DELETE']) {
          const res = await request(`${h.url}${path}`, {
            method,
            headers: { ...key.auth, 'content-type': 'application/json' },
            body: method === 'GET' || method === 'HEAD' ? undefined : '{}',
          });
          expect(res.status, `${key.name} ${method} ${path}`).toBe(403);
          if (method !== 'HEAD') expect(res.json<Err>().error.type).toBe('forbidden');
        }
      }
    }
    expect(h.fake.received.slice(before)).toEqual([]);
  });

  it('forwards admin’s requests', async () => {
    const before = h.fake.received.length;
    await get(h, '/api/manager/reboot', ADMIN);
    await postJson(h, '/v2/customnode/install', ADMIN, {});
    expect(h.fake.received.slice(before).map((r) => r.url)).toEqual(['/api/manager/reboot', '/v2/customnode/install']);
  });
});

describe('/free, /internal/* and POST /users', () => {
  const ROUTES: [string, string][] = [
    ['POST', '/free'],
    ['POST', '/api/free'],
    ['GET', '/internal/files'],
    ['GET', '/api/internal/logs/raw'],
    ['GET', '/internal/folder_paths'],
    ['POST', '/%69nternal/logs/subscribe'],
    ['POST', '/users'],
    ['POST', '/api/users'],
  ];

  it('are admin-only: keys get 403 and nothing is forwarded; admin is forwarded', async () => {
    const before = h.fake.received.length;
    for (const key of [keys.reader, keys.maker]) {
      for (const [method, path] of ROUTES) {
        const res = await request(`${h.url}${path}`, { method, headers: { ...key.auth, 'content-type': 'application/json' }, body: method === 'POST' ? '{"username":"x"}' : undefined });
        expect(res.status, `${method} ${path}`).toBe(403);
      }
    }
    expect(h.fake.received.length).toBe(before);
    for (const [method, path] of ROUTES) {
      await request(`${h.url}${path}`, { method, headers: { ...ADMIN, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
    }
    expect(h.fake.received.length).toBe(before + ROUTES.length);
  });

  it('GET /users (the web UI lists user folders) stays open to keys', async () => {
    const before = h.fake.received.length;
    const res = await get(h, '/api/users', keys.maker.auth);
    expect(res.status).not.toBe(403);
    expect(h.fake.received.length).toBe(before + 1);
  });
});

describe('the control plane: cookie vs header', () => {
  let adminCookie = '';
  let keyCookie = '';

  beforeAll(async () => {
    adminCookie = sessionCookie(await loginJson(h, { api_key: ADMIN_KEY })) ?? '';
    keyCookie = sessionCookie(await loginJson(h, { api_key: keys.maker.secret })) ?? '';
    expect(adminCookie).not.toBe('');
  });

  it('the admin’s browser session cannot list, create, change or rotate keys, nor read all usage', async () => {
    const origin = { origin: h.url };
    const attempts: [string, string, unknown?][] = [
      ['GET', '/api/keys'],
      ['GET', `/api/keys/${keys.maker.id}`],
      ['POST', '/api/keys', { name: 'planted' }],
      ['PATCH', `/api/keys/${keys.maker.id}`, { scopes: ['admin'] }],
      ['POST', `/api/keys/${keys.maker.id}/rotate`, {}],
      ['DELETE', `/api/keys/${keys.maker.id}`],
      ['GET', '/api/usage'],
      ['GET', '/api/usage/all'],
      ['GET', '/api/%6Beys'],
    ];
    for (const [method, path, body] of attempts) {
      const res = await request(`${h.url}${path}`, {
        method,
        headers: withSession(adminCookie, { ...origin, 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json<Err>().error.message).toMatch(/not available to a browser login session/);
    }
    const list = (await get(h, '/api/keys', ADMIN)).json<{ keys: { name: string; scopes: string[]; is_active: boolean }[] }>();
    expect(list.keys.map((k) => k.name)).not.toContain('planted');
    expect(list.keys.find((k) => k.name === 'maker')).toMatchObject({ scopes: ['generate'], is_active: true });
  });

  it('the admin key in a header manages keys and reads every key’s usage', async () => {
    expect((await get(h, '/api/keys', ADMIN)).status).toBe(200);
    expect((await request(`${h.url}/api/keys`, { headers: { 'x-api-key': ADMIN_KEY } })).status).toBe(200);
    const usage = await get(h, '/api/usage', ADMIN);
    expect(usage.status).toBe(200);
    expect(Array.isArray(usage.json<{ keys: unknown[] }>().keys)).toBe(true);
    expect((await get(h, '/api/usage/all', ADMIN)).status).toBe(200);
  });

  it('an access key’s session still reads its own usage; its header cannot manage keys', async () => {
    const own = await get(h, '/api/usage', withSession(keyCookie));
    expect(own.status).toBe(200);
    expect(own.json<{ key_name: string }>().key_name).toBe('maker');
    expect((await get(h, '/api/keys', keys.maker.auth)).status).toBe(403);
    expect((await get(h, '/api/usage/all', keys.maker.auth)).status).toBe(403);
  });
});
