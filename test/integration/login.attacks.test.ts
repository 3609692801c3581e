// Attacks on the browser login, against a real proxy on loopback: login CSRF, session fixation,
// cookie flags, logout and key revocation really ending sessions, remember-me across restarts,
// failed-login throttling and open redirects through `next`.
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyStore } from '../../main/keys/keyStore';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';
import { loginForm, loginJson, sameOrigin, sessionCookie, setCookies, withSession } from './login.helpers';
import { LEGIT_NEXT, openRedirectPayloads, staysOnOrigin } from './login.redirectPayloads';

let h: Harness;
let key: string;

beforeAll(async () => {
  h = await startHarness();
  key = (await h.stack.keys.store.create({ name: 'victim' })).secret;
});
afterAll(async () => {
  await h.close();
});

const queueWith = (sid: string) => request(`${h.url}/queue`, { headers: withSession(sid) });

describe('login CSRF', () => {
  const refusals: [string, Record<string, string>][] = [
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['Origin: null (sandboxed frame, file://)', { origin: 'null' }],
    ['the proxy host on another port', { origin: 'http://127.0.0.1:1' }],
    ['neither Origin nor Sec-Fetch-Site (an old browser’s cross-site form)', {}],
    ['Sec-Fetch-Site: cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site without Origin', { 'sec-fetch-site': 'same-site' }],
  ];

  it.each(refusals)('refuses a login with %s, sets no cookie and opens no session', async (_name, headers) => {
    const before = h.stack.sessions.count();
    for (const res of [await loginJson(h, { api_key: key }, headers), await loginForm(h, { api_key: key }, headers)]) {
      expect(res.status).toBe(403);
      expect(setCookies(res.headers)).toEqual([]);
    }
    expect(h.stack.sessions.count()).toBe(before);
  });

  it('refuses a login whose Origin is another loopback spelling than the page the browser is on', async () => {
    // The core allows any loopback spelling of the proxy (e.g. for scripts); a login must be same-origin exactly.
    const res = await loginJson(h, { api_key: key }, { origin: `http://localhost:${h.port}` });
    expect(res.status).toBe(403);
    expect(setCookies(res.headers)).toEqual([]);
  });

  it('accepts a login that proves it is same-origin with Sec-Fetch-Site alone', async () => {
    const res = await loginJson(h, { api_key: key }, { 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(200);
  });

  it.each(refusals)('refuses a logout with %s and the session stays', async (_name, headers) => {
    const sid = sessionCookie(await loginJson(h, { api_key: key })) ?? '';
    const res = await request(`${h.url}/auth/logout`, { method: 'POST', headers: withSession(sid, headers) });
    expect(res.status).toBe(403);
    expect(setCookies(res.headers)).toEqual([]);
    expect((await queueWith(sid)).status).toBe(200);
  });

  it('a cross-site link to ?logout=true does not end the session', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: key })) ?? '';
    await request(`${h.url}/auth_login.html?logout=true`, { headers: withSession(sid, { 'sec-fetch-site': 'cross-site' }) });
    expect((await queueWith(sid)).status).toBe(200);
  });
});

describe('session fixation', () => {
  it('hands out a new id on every login', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add(sessionCookie(await loginJson(h, { api_key: key })) ?? '');
    expect(ids.size).toBe(20);
  });

  it('never adopts a cookie value the attacker planted', async () => {
    const planted = 'AttackerChosenValue0000000000000000000000000';
    const res = await loginJson(h, { api_key: key }, withSession(planted, sameOrigin(h)));
    const issued = sessionCookie(res);
    expect(issued).not.toBe(planted);
    expect((await queueWith(planted)).status).toBe(401);
    expect((await queueWith(issued ?? '')).status).toBe(200);
  });

  it('ends the session the browser held before logging in again', async () => {
    const old = sessionCookie(await loginJson(h, { api_key: key })) ?? '';
    const fresh = sessionCookie(await loginJson(h, { api_key: key }, withSession(old, sameOrigin(h)))) ?? '';
    expect((await queueWith(old)).status).toBe(401);
    expect((await queueWith(fresh)).status).toBe(200);
  });
});

describe('cookie flags', () => {
  it('are exactly HttpOnly; SameSite=Strict; Path=/ — no Secure (plain http on loopback), no Domain, no expiry', async () => {
    const res = await loginJson(h, { api_key: key, remember: false });
    const sid = sessionCookie(res);
    expect(setCookies(res.headers)).toEqual([`cac_session=${sid}; Path=/; HttpOnly; SameSite=Strict`]);
  });

  it('with remember me add only Max-Age and Expires, 30 days ahead', async () => {
    const before = Date.now();
    const res = await loginJson(h, { api_key: key, remember: true });
    const [cookie] = setCookies(res.headers);
    const m = /^cac_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=2592000; Expires=([^;]+)$/.exec(cookie ?? '');
    expect(m).not.toBeNull();
    const expires = Date.parse(m?.[1] ?? '');
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 2592000_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 2592000_000);
  });
});

describe('ending sessions', () => {
  it('a cookie replayed after logout is refused', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: key })) ?? '';
    expect((await queueWith(sid)).status).toBe(200);
    await request(`${h.url}/auth/logout`, { method: 'POST', headers: withSession(sid, sameOrigin(h)) });
    const replay = await queueWith(sid);
    expect(replay.status).toBe(401);
    expect(h.fake.received.filter((r) => String(r.headers.cookie ?? '').includes(sid))).toEqual([]);
  });

  it('revoking the key ends its sessions, and the browser is told why', async () => {
    const created = await h.stack.keys.store.create({ name: 'to revoke' });
    const sid = sessionCookie(await loginJson(h, { api_key: created.secret })) ?? '';
    expect((await queueWith(sid)).status).toBe(200);
    await h.stack.keys.store.revoke(created.record.key_id);
    expect((await queueWith(sid)).status).toBe(401);
    const nav = await request(`${h.url}/`, { headers: withSession(sid, { accept: 'text/html' }) });
    expect(nav.status).toBe(302);
    expect(nav.headers.location).toMatch(/&reason=revoked$/);
    // Revoking is final: the key cannot be re-enabled.
    await expect(h.stack.keys.store.update(created.record.key_id, { is_active: true })).rejects.toThrow(/revoked/);
    expect((await queueWith(sid)).status).toBe(401);
  });

  it('disabling the key ends its sessions; enabling it again does not bring them back', async () => {
    const created = await h.stack.keys.store.create({ name: 'to disable' });
    const sid = sessionCookie(await loginJson(h, { api_key: created.secret })) ?? '';
    expect((await queueWith(sid)).status).toBe(200);
    await h.stack.keys.store.update(created.record.key_id, { is_active: false });
    expect((await queueWith(sid)).status).toBe(401);
    await h.stack.keys.store.update(created.record.key_id, { is_active: true });
    expect((await queueWith(sid)).status).toBe(401);
  });

  it('rotating the key ends its sessions, even with a grace period for the old secret', async () => {
    const created = await h.stack.keys.store.create({ name: 'to rotate' });
    const sid = sessionCookie(await loginJson(h, { api_key: created.secret })) ?? '';
    await h.stack.keys.store.rotate(created.record.key_id, { graceSeconds: 3600 });
    expect((await queueWith(sid)).status).toBe(401);
  });

  it('a key revoked by another process (the CLI) ends its sessions once the store reloads', async () => {
    const created = await h.stack.keys.store.create({ name: 'cli revoked' });
    const sid = sessionCookie(await loginJson(h, { api_key: created.secret })) ?? '';
    const cli = new KeyStore({ dataDir: h.stack.keys.store.path.replace(/[/\\]keys\.json$/, '') });
    await cli.revoke(created.record.key_id);
    await cli.close();
    h.stack.keys.store.reload();
    expect((await queueWith(sid)).status).toBe(401);
  });

  it('revokeAll (the tray’s "log out browser sessions") ends every session', async () => {
    const sids = [sessionCookie(await loginJson(h, { api_key: key })) ?? '', sessionCookie(await loginJson(h, { api_key: key, remember: true })) ?? ''];
    expect(h.stack.sessions.revokeAll()).toBeGreaterThanOrEqual(2);
    for (const sid of sids) expect((await queueWith(sid)).status).toBe(401);
  });
});

describe('remember me across a restart', () => {
  it('a remembered session survives a restart of the stack on the same data dir; a browser-only one does not', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cac-login-restart-'));
    try {
      const first = await startHarness({ dataDir });
      const secret = (await first.stack.keys.store.create({ name: 'remembered' })).secret;
      const remembered = sessionCookie(await loginJson(first, { api_key: secret, remember: true })) ?? '';
      const browserOnly = sessionCookie(await loginJson(first, { api_key: secret, remember: false })) ?? '';
      await first.close();
      const second = await startHarness({ dataDir });
      try {
        expect((await request(`${second.url}/queue`, { headers: withSession(remembered) })).status).toBe(200);
        expect((await request(`${second.url}/queue`, { headers: withSession(browserOnly) })).status).toBe(401);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('failed-login throttling', () => {
  it('after five failures in a minute even the right key gets 429 with Retry-After, until the minute is over', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const t = await startHarness({ now: () => clock });
    try {
      const secret = (await t.stack.keys.store.create({ name: 'throttled' })).secret;
      for (let i = 0; i < 4; i++) {
        expect((await loginJson(t, { api_key: `wrong-${i}` })).status).toBe(401);
        clock += 1000;
      }
      const fifth = await loginJson(t, { api_key: 'wrong-4' });
      expect(fifth.status).toBe(429);
      expect(fifth.headers['retry-after']).toBe('56');
      const blocked = await loginJson(t, { api_key: secret });
      expect(blocked.status).toBe(429);
      expect(blocked.json()).toMatchObject({ error: { type: 'rate_limited', retry_after: 56, message: expect.stringContaining('Try again in 56 s') } });
      expect(setCookies(blocked.headers)).toEqual([]);
      const form = await loginForm(t, { api_key: secret });
      expect(form.headers.location).toBe('/auth_login.html?error=throttled&retry=56');
      clock += 56_000;
      expect((await loginJson(t, { api_key: secret })).status).toBe(200);
      // The success reset the count: four more failures are allowed again.
      for (let i = 0; i < 4; i++) expect((await loginJson(t, { api_key: `again-${i}` })).status).toBe(401);
    } finally {
      await t.close();
    }
  });
});

describe('open redirects through next', () => {
  const payloads = openRedirectPayloads();

  it(`every one of ${payloads.length} generated payloads lands on a same-origin path after a real login`, async () => {
    expect(payloads.length).toBeGreaterThanOrEqual(500);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const escaped: { payload: string; where: string }[] = [];
    try {
      const check = async (payload: string) => {
        const res = await request(`${h.url}/auth/login`, {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: h.url },
          body: new URLSearchParams({ api_key: key, next: payload }).toString(),
        });
        const location = String(res.headers.location ?? '');
        if (res.status !== 303 || !staysOnOrigin(location, h.url)) escaped.push({ payload, where: `login ${res.status} ${location}` });
        // The page echoes next into its form: that value must be safe too.
        const page = await request(`${h.url}/auth_login.html?next=${encodeURIComponent(payload)}`, { agent });
        const hidden = /name="next" value="([^"]*)"/.exec(page.text)?.[1]?.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
        if (hidden === undefined || !staysOnOrigin(hidden, h.url)) escaped.push({ payload, where: `page ${hidden}` });
      };
      for (let i = 0; i < payloads.length; i += 8) await Promise.all(payloads.slice(i, i + 8).map(check));
    } finally {
      agent.destroy();
    }
    expect(escaped).toEqual([]);
  });

  it('keeps legitimate same-origin targets as they are', async () => {
    for (const next of LEGIT_NEXT) {
      const res = await loginForm(h, { api_key: key, next });
      expect(res.headers.location).toBe(next);
      const json = await loginJson(h, { api_key: key, next });
      expect(json.json<{ next: string }>().next).toBe(next);
    }
  });
});
