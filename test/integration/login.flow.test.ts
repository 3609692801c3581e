// Logging in from a browser (SPEC §4): the login page and its assets, POST /auth/login with JSON or a
// plain form, the session cookie standing in for the key on pages, API calls and previews, and logout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../main/keys/keyFormat';
import { request } from '../helpers/http';
import { ADMIN_KEY, startHarness, type Harness } from '../helpers/proxyHarness';
import { loginForm, loginJson, sameOrigin, sessionCookie, setCookies, withSession } from './login.helpers';

let h: Harness;
let clock = Date.UTC(2030, 0, 1);
let key: string;
let keyId: string;

beforeAll(async () => {
  h = await startHarness({ now: () => clock });
  const created = await h.stack.keys.store.create({ name: 'browser' });
  key = created.secret;
  keyId = created.record.key_id;
});
afterAll(async () => {
  await h.close();
});

const html = { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate' };

describe('the login page', () => {
  it('is served without a key, with a strict CSP and anti-framing, same-origin referrer and no-store headers', async () => {
    const res = await request(`${h.url}/auth_login.html`, { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers['x-frame-options']).toBe('DENY');
    // same-origin, not no-referrer: no-referrer makes browsers send `Origin: null` on the form POST.
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('type="password"');
    expect(res.text).toContain('name="remember"');
    expect(res.text).toMatch(/<form[^>]+method="post"[^>]+action="\/auth\/login"/);
    // No inline script or style, and nothing loaded from elsewhere.
    expect(res.text).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/);
    expect(res.text).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('serves its CSS and script as separate same-origin files', async () => {
    const css = await request(`${h.url}/auth_login.css`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toContain('prefers-color-scheme: dark');
    const js = await request(`${h.url}/auth_login.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
  });

  it('shows why the proxy sent the user here', async () => {
    const revoked = await request(`${h.url}/auth_login.html?reason=revoked&next=%2F`, { headers: html });
    expect(revoked.text).toContain('the key you used was revoked');
    const expired = await request(`${h.url}/auth_login.html?reason=expired`, { headers: html });
    expect(expired.text).toContain('the key you used has expired');
    const plain = await request(`${h.url}/auth_login.html`, { headers: html });
    expect(plain.text).toMatch(/id="login-hint" class="notice" role="status" hidden><\/p>/);
  });

  it('escapes what it echoes back', async () => {
    const res = await request(`${h.url}/auth_login.html?next=${encodeURIComponent('/x?a="><script>alert(1)</script>')}&reason=<b>`, { headers: html });
    expect(res.text).not.toContain('<script>alert(1)');
    expect(res.text).not.toContain('<b>');
  });

  it('serves /auth_inject.js as JavaScript with nosniff, and injects it into ComfyUI’s page', async () => {
    const js = await request(`${h.url}/auth_inject.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect(js.text).toContain('/auth_login.html?next=');
    const page = await request(`${h.url}/`, { headers: { ...html, ...h.auth } });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<head[^>]*><script src="\/auth_inject\.js" defer><\/script>/);
  });
});

describe('logging in', () => {
  it('with an access key over JSON sets a session cookie that opens ComfyUI’s page, API and previews', async () => {
    const res = await loginJson(h, { api_key: key, remember: false, next: '/?tab=queue' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ ok: true, next: '/?tab=queue', remember: false });
    const sid = sessionCookie(res);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = withSession(sid ?? '');
    expect((await request(`${h.url}/`, { headers: { ...html, ...cookie } })).status).toBe(200);
    expect((await request(`${h.url}/queue`, { headers: cookie })).status).toBe(200);
    // An input file is shared; output files only to the job's owner (another key's or unknown → 404).
    const view = await request(`${h.url}/view?filename=example.png&type=input&subfolder=`, { headers: cookie });
    expect(view.status).toBe(200);
    expect(view.headers['content-type']).toContain('image/png');
    expect((await request(`${h.url}/view?filename=example.png&type=output&subfolder=`, { headers: cookie })).status).toBe(404);
    // The key's own quota applies to its session.
    expect(view.headers['ratelimit-policy']).toMatch(/^"requests";q=600;w=60$/);
    // The session cookie never reaches ComfyUI.
    const seen = await h.fake.nextRequest((r) => r.url.startsWith('/view'));
    expect(String(seen.headers.cookie ?? '')).not.toContain(sid ?? '');
  });

  it('the key’s scopes apply to its session, and a PATCH to the key applies at once', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: key }));
    const cookie = withSession(sid ?? '', { 'content-type': 'application/json', ...sameOrigin(h) });
    const prompt = () => request(`${h.url}/prompt`, { method: 'POST', headers: cookie, body: JSON.stringify({ prompt: {} }) });
    expect((await prompt()).status).toBe(200);
    await h.stack.keys.store.update(keyId, { scopes: ['read'] });
    try {
      const refused = await prompt();
      expect(refused.status).toBe(403);
      expect(refused.text).toContain('read');
    } finally {
      await h.stack.keys.store.update(keyId, { scopes: ['generate'] });
    }
  });

  it('with the admin key works too, but key management refuses the session (SPEC §8.5)', async () => {
    const res = await loginJson(h, { api_key: ADMIN_KEY });
    expect(res.status).toBe(200);
    const cookie = withSession(sessionCookie(res) ?? '');
    expect((await request(`${h.url}/queue`, { headers: cookie })).status).toBe(200);
    const list = await request(`${h.url}/api/keys`, { headers: cookie });
    expect(list.status).toBe(403);
    expect(list.text).toContain('admin key in an Authorization or X-API-Key header');
  });

  it('from a form without JavaScript answers 303 to next with the cookie', async () => {
    const res = await loginForm(h, { api_key: key, remember: 'on', next: '/extensions/x/page.html#frag' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/extensions/x/page.html#frag');
    expect(setCookies(res.headers)[0]).toMatch(/; Max-Age=2592000; Expires=/);
  });

  it('from a form with a wrong key goes back to the page, which says what went wrong', async () => {
    const res = await loginForm(h, { api_key: 'comfy_wrong', next: '/?tab=queue' });
    expect(res.status).toBe(303);
    expect(setCookies(res.headers)).toEqual([]);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/auth_login\.html\?error=malformed&next=%2F%3Ftab%3Dqueue$/);
    const page = await request(`${h.url}${location}`, { headers: html });
    expect(page.text).toContain('does not look like a complete key');
    expect(page.text).toContain('value="/?tab=queue"');
  });

  it.each([
    ['an unknown key', () => generateKey(), 'not recognised'],
    ['an empty key', () => '', 'Enter your access key'],
  ])('refuses %s with a message that says so, and no cookie', async (_name, secret, message) => {
    const res = await loginJson(h, { api_key: secret() });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.json<{ error: { message: string } }>().error.message).toContain(message);
    expect(setCookies(res.headers)).toEqual([]);
  });

  it('refuses a revoked key and an expired key, each with its own message', async () => {
    const revoked = await h.stack.keys.store.create({ name: 'to revoke' });
    await h.stack.keys.store.revoke(revoked.record.key_id);
    const r1 = await loginJson(h, { api_key: revoked.secret });
    expect(r1.status).toBe(401);
    expect(r1.json()).toMatchObject({ error: { type: 'unauthorized', reason: 'revoked', message: expect.stringContaining('revoked') } });

    const expiring = await h.stack.keys.store.create({ name: 'expiring', expires_at: clock / 1000 + 60 });
    clock += 61_000;
    const r2 = await loginJson(h, { api_key: expiring.secret });
    expect(r2.status).toBe(401);
    expect(r2.json()).toMatchObject({ error: { reason: 'expired', message: expect.stringContaining('expired') } });
  });

  it('rejects bodies that are not a login: unknown fields, wrong types, other content types', async () => {
    const extra = await loginJson(h, { api_key: key, admin: true });
    expect(extra.status).toBe(400);
    expect(extra.json<{ error: { message: string } }>().error.message).toContain('"admin"');
    const wrongType = await loginJson(h, { api_key: key, remember: 'yes' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json<{ error: { message: string } }>().error.message).toContain('remember');
    const text = await request(`${h.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'text/plain', ...sameOrigin(h) }, body: key });
    expect(text.status).toBe(400);
    for (const r of [extra, wrongType, text]) expect(setCookies(r.headers)).toEqual([]);
  });
});

describe('browser navigation with ?api_key=', () => {
  it('trades the key in the address bar for a session and redirects to the same URL without it', async () => {
    const res = await request(`${h.url}/?tab=queue&api_key=${encodeURIComponent(key)}`, { headers: html });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/?tab=queue');
    const sid = sessionCookie(res);
    expect(setCookies(res.headers)[0]).toBe(`cac_session=${sid}; Path=/; HttpOnly; SameSite=Strict`);
    expect((await request(`${h.url}/queue`, { headers: withSession(sid ?? '') })).status).toBe(200);
  });
});

describe('without a session', () => {
  it('a navigation to / goes to the login page, and a fetch gets 401 JSON', async () => {
    const nav = await request(`${h.url}/`, { headers: html });
    expect(nav.status).toBe(302);
    expect(nav.headers.location).toBe('/auth_login.html?next=%2F');
    const api = await request(`${h.url}/queue`, { headers: { accept: 'application/json' } });
    expect(api.status).toBe(401);
    expect(api.json()).toMatchObject({ error: { type: 'unauthorized' } });
  });
});

describe('logging out', () => {
  it('POST /auth/logout ends the session on the server and clears the cookie', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: key })) ?? '';
    const out = await request(`${h.url}/auth/logout`, { method: 'POST', headers: withSession(sid, sameOrigin(h)) });
    expect(out.status).toBe(200);
    expect(setCookies(out.headers)).toEqual(['cac_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect((await request(`${h.url}/queue`, { headers: withSession(sid) })).status).toBe(401);
  });

  it('/auth_login.html?logout=true ends the session and shows the login page', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: key })) ?? '';
    const page = await request(`${h.url}/auth_login.html?logout=true`, { headers: withSession(sid, html) });
    expect(page.status).toBe(200);
    expect(page.text).toContain('You have been logged out.');
    expect(setCookies(page.headers)[0]).toMatch(/^cac_session=; .*Max-Age=0/);
    const replay = await request(`${h.url}/`, { headers: withSession(sid, html) });
    expect(replay.status).toBe(302);
    expect(replay.headers.location).toMatch(/^\/auth_login\.html\?next=/);
  });

  it('a form logout without JavaScript answers 303 to the login page', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: key })) ?? '';
    const out = await request(`${h.url}/auth/logout`, {
      method: 'POST',
      headers: withSession(sid, { ...sameOrigin(h), 'content-type': 'application/x-www-form-urlencoded' }),
      body: '',
    });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/auth_login.html?reason=logged_out');
  });
});
