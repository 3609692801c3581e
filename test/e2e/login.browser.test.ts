// End to end in Chromium (test/helpers/chromium.ts): an unauthenticated visit lands on the login page, a wrong key shows
// an error, the right key opens ComfyUI's page with its /view preview and /ws working through the
// session cookie, no key is left in the browser's storage, an ended session sends fetch() back to the
// login page, and after logout the old cookie is refused.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../main/keys/keyFormat';
import { launchChromium } from '../helpers/chromium';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';

const SHOTS = join(process.cwd(), 'test-results', 'screenshots');

describe('logging in from Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let key: string;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness();
    key = (await h.stack.keys.store.create({ name: 'chromium' })).secret;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const sessionCookie = async () => (await context.cookies(h.url)).find((c) => c.name === 'cac_session');

  it('sends an unauthenticated visit to the login page', async () => {
    await page.goto(`${h.url}/`);
    expect(new URL(page.url()).pathname).toBe('/auth_login.html');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/');
    await expect(page.getByLabel('Access key').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Show' }).isVisible()).resolves.toBe(true); // the script ran under the CSP
    await page.screenshot({ path: join(SHOTS, 'login-page.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'login-page-dark.png') });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('shows an inline error for a wrong key and stays on the page', async () => {
    await page.getByLabel('Access key').fill(generateKey());
    await page.getByRole('button', { name: 'Log in' }).click();
    const error = page.locator('#login-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain('not recognised');
    expect(await page.getByLabel('Access key').getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).pathname).toBe('/auth_login.html');
    expect(await sessionCookie()).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, 'login-error.png') });
  });

  it('with the right key opens ComfyUI: the page, its /view preview and its /ws all work', async () => {
    await page.getByLabel('Access key').fill(key);
    await Promise.all([page.waitForURL(`${h.url}/`), page.getByRole('button', { name: 'Log in' }).click()]);
    await page.waitForFunction(() => document.body.dataset.imgLoaded !== undefined);
    expect(await page.evaluate(() => document.body.dataset.imgLoaded)).toBe('true');
    await page.waitForFunction(() => document.getElementById('ws-status')?.textContent !== 'connecting');
    expect(await page.locator('#ws-status').textContent()).toBe('status');
    await page.screenshot({ path: join(SHOTS, 'logged-in.png') });
  });

  it('ComfyUI pages with their own strict CSP keep working with the session', async () => {
    await page.goto(`${h.url}/csp/index.html`);
    await page.waitForFunction(() => document.body.dataset.imgLoaded !== undefined && document.getElementById('ws-status')?.textContent !== 'connecting');
    expect(await page.evaluate(() => [document.body.dataset.imgLoaded, document.getElementById('ws-status')?.textContent])).toEqual(['true', 'status']);
    await page.goto(`${h.url}/`);
  });

  it('keeps no key in the browser: only an HttpOnly, SameSite=Strict session cookie', async () => {
    const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie }));
    expect(storage).not.toContain(key);
    expect(storage).not.toContain('cac_session');
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/', expires: -1 });
    expect(cookie?.value).not.toContain(key);
  });

  it('sends the page back to the login page when a fetch finds the session ended', async () => {
    h.stack.sessions.revokeAll();
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/auth_login.html'),
      page.evaluate(() => {
        void fetch('/queue');
      }),
    ]);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/');
  });

  it('logs in again with remember me, then logout ends the session for good', async () => {
    await page.getByLabel('Access key').fill(key);
    await page.getByLabel(/Remember me/).check();
    await Promise.all([page.waitForURL(`${h.url}/`), page.getByRole('button', { name: 'Log in' }).click()]);
    const cookie = await sessionCookie();
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    const old = cookie?.value ?? '';

    // ComfyUI's page keeps calling the proxy (every `status` refetches /queue); calls still in flight when the
    // logout ends the session get 401s, which must not send the page to a login page without the logout hint.
    await page.evaluate(() => {
      setInterval(() => void fetch('/queue'), 5);
    });
    await page.goto(`${h.url}/auth_login.html?logout=true`);
    expect(await page.locator('#login-hint').textContent()).toContain('You have been logged out.');
    expect(await sessionCookie()).toBeUndefined();
    await page.screenshot({ path: join(SHOTS, 'logged-out.png') });

    const replay = await request(`${h.url}/queue`, { headers: { cookie: `cac_session=${old}` } });
    expect(replay.status).toBe(401);
    await page.goto(`${h.url}/`);
    expect(new URL(page.url()).pathname).toBe('/auth_login.html');
  });

  it('works with JavaScript disabled: the plain form logs in, and shows errors from the server', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    try {
      const p = await noJs.newPage();
      await p.goto(`${h.url}/?tab=queue`);
      expect(new URL(p.url()).pathname).toBe('/auth_login.html');
      await p.getByLabel('Access key').fill('not-a-key');
      await Promise.all([p.waitForURL(/error=malformed/), p.getByRole('button', { name: 'Log in' }).click()]);
      expect(await p.locator('#login-error').textContent()).toContain('does not look like a complete key');
      await p.getByLabel('Access key').fill(key);
      await Promise.all([p.waitForURL(`${h.url}/?tab=queue`), p.getByRole('button', { name: 'Log in' }).click()]);
      expect(await p.locator('h1').textContent()).toBe('Fake ComfyUI');
    } finally {
      await noJs.close();
    }
  });

  it('caused no Content-Security-Policy violation on the login page or ComfyUI’s page', () => {
    expect(cspViolations).toEqual([]);
  });
});
