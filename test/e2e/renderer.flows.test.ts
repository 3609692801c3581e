// The companion window end to end in Chromium (test/helpers/chromium.ts): the BUILT renderer, a bridge standing in for
// Electron IPC, and the real services behind createCompanionApi (proxy, key store, monitor, account,
// fake ComfyUI, fake Comfy Cloud). Also writes a screenshot of every view, light and dark, empty and
// filled, to test-results/screenshots/<view>-<theme>-<state>.png.
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium } from '../helpers/chromium';
import { RENDERER_DIR } from './bridge/bridgeServer';
import { startCompanionStack, type CompanionStack } from './bridge/companionStack';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const VIEW_TITLES = { login: 'Login', keys: 'Access keys', cloud: 'Comfy Cloud', monitor: 'Monitor', settings: 'Settings' } as const;
type View = keyof typeof VIEW_TITLES;
const CLOUD_KEY = `comfyui-${'a1B2c3D4e5F6g7H8'.repeat(2)}`;

describe('companion window (Chromium, real services)', () => {
  let stack: CompanionStack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startCompanionStack();
    // npm test builds the renderer first; running this file alone needs `npm run build:renderer`.
    if (!existsSync(`${RENDERER_DIR}index.html`)) throw new Error(`${RENDERER_DIR}index.html is missing: run "npm run build:renderer" first`);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __csp: string[] };
      w.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.goto(`${stack.bridge.url}index.html`);
    await page.locator('.nav').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function show(view: View): Promise<void> {
    await page.locator('.nav-item', { hasText: VIEW_TITLES[view] }).click();
    await page.locator('.view-header h1', { hasText: VIEW_TITLES[view] }).waitFor();
  }

  async function setTheme(theme: 'light' | 'dark'): Promise<void> {
    stack.settings.update({ theme });
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
  }

  async function shoot(view: View, state: 'empty' | 'filled', ready: () => Promise<void>): Promise<void> {
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(theme);
      await show(view);
      await ready();
      await page.screenshot({ path: `${SHOTS}${view}-${theme}-${state}.png` });
    }
  }

  async function proxyFetch(path: string, secret: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${stack.proxyUrl()}${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, ...(init.headers as Record<string, string>) } });
  }

  it('shows every view in its empty state, light and dark', async () => {
    await shoot('login', 'empty', () => page.getByText('Validate to check').waitFor());
    await shoot('keys', 'empty', () => page.getByText('No access keys yet').waitFor());
    await shoot('cloud', 'empty', () => page.getByText('Log in to Comfy Cloud').waitFor());
    await shoot('monitor', 'empty', () => page.getByTestId('upstream-state').filter({ hasText: 'Up' }).waitFor());
    await shoot('settings', 'empty', () => page.getByLabel('Listen port').waitFor());
    await setTheme('light');
  });

  it('validates the upstream and says where a remembered key would be kept', async () => {
    await show('login');
    await expect(page.getByText('This session only', { exact: true }).isVisible()).resolves.toBe(true);
    // Memory backend: "remember" cannot be chosen and the UI says why.
    await expect(page.getByText(/safeStorage would only use a hard-coded key \(basic_text\)/).isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Validate and save' }).click();
    await page.locator('.check-pass', { hasText: 'Reachable' }).waitFor();
    const facts = await page.locator('.probe').innerText();
    expect(facts).toMatch(/ComfyUI/);
  });

  let secret = '';
  it('creates a key whose secret is shown once and must be confirmed before the dialog closes', async () => {
    await show('keys');
    await page.getByRole('button', { name: 'Create your first key' }).click();
    await page.getByLabel('Name').fill('render-bot');
    await page.getByLabel('Rate limit').fill('50');
    await page.getByLabel('Metadata key').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Add metadata' }).click();
    await page.getByLabel('Metadata key').fill('owner');
    await page.getByLabel('Metadata value').fill('studio');
    await page.getByLabel('Name').press('Enter');
    const secretBox = page.getByLabel('New access key');
    await secretBox.waitFor();
    secret = await secretBox.inputValue();
    expect(secret).toMatch(/^comfy_/);
    await page.screenshot({ path: `${SHOTS}keys-light-secret.png` });
    // Esc does not close it, and Done stays disabled until the user confirms.
    await page.keyboard.press('Escape');
    expect(await secretBox.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
    await page.getByLabel('I have saved this key').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await secretBox.waitFor({ state: 'detached' });
    await page.locator('.keys-table tr', { hasText: 'render-bot' }).waitFor();
    // The secret is nowhere in the page any more.
    expect(await page.content()).not.toContain(secret);
  });

  it('a request with the new key goes through the proxy and shows in the monitor and the key usage', async () => {
    const res = await proxyFetch('/system_stats?api_key_hint=1', secret);
    expect(res.status).toBe(200);
    const q = await proxyFetch(`/queue?token=${encodeURIComponent(secret)}`, secret);
    expect(q.status).toBe(200);
    // The usage bar counts jobs (the key's rate_limit is jobs per hour).
    for (let i = 0; i < 2; i++) {
      const job = await proxyFetch('/prompt', secret, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: {} }) });
      expect(job.status).toBe(200);
    }
    await show('monitor');
    const row = page.locator('table.log tbody tr', { hasText: 'render-bot' }).filter({ hasText: '/system_stats' });
    await row.waitFor();
    expect(await page.locator('table.log').innerText()).not.toContain(secret);
    await show('keys');
    const bar = page.getByRole('progressbar', { name: 'render-bot usage this hour' });
    await page.waitForFunction(() => Number(document.querySelector('[aria-label="render-bot usage this hour"]')?.getAttribute('aria-valuenow')) >= 2);
    expect(Number(await bar.getAttribute('aria-valuemax'))).toBe(50);
  });

  it('shows running jobs relayed through the proxy, with progress', async () => {
    const ws = new WebSocket(`${stack.proxyUrl().replace('http', 'ws')}/ws?clientId=e2e-client`, { headers: { authorization: `Bearer ${secret}` } });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    await stack.comfy.waitForWsClient('e2e-client');
    await stack.comfy.runFakeJob('prompt-done-1', 'e2e-client', 3);
    await stack.comfy.sendJson({ type: 'execution_start', data: { prompt_id: 'prompt-running-2' } }, 'e2e-client');
    await stack.comfy.sendJson({ type: 'executing', data: { node: '3', prompt_id: 'prompt-running-2' } }, 'e2e-client');
    await stack.comfy.sendJson({ type: 'progress', data: { value: 7, max: 20, node: '3', prompt_id: 'prompt-running-2' } }, 'e2e-client');
    await show('monitor');
    await page.getByRole('progressbar', { name: 'Job prompt-running-2 progress' }).waitFor();
    expect(await page.locator('.job', { hasText: 'prompt-done-1' }).innerText()).toContain('Done');
    ws.close();
    // A few failures for the error columns.
    await proxyFetch('/no-such-route', secret);
    await fetch(`${stack.proxyUrl()}/queue`, { headers: { authorization: 'Bearer comfy_wrong' } });
  });

  it('a revoked key is refused on its next request, and the refusal shows in the log', async () => {
    await show('keys');
    await page.locator('.keys-table tr', { hasText: 'render-bot' }).getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('button', { name: 'Revoke key' });
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByLabel('Key name to confirm').fill('render-bot');
    await confirm.click();
    await page.locator('.keys-table tr', { hasText: 'render-bot' }).locator('.badge', { hasText: 'Disabled' }).waitFor();
    const res = await proxyFetch('/queue', secret);
    expect(res.status).toBe(401);
    await show('monitor');
    await page.locator('table.log tbody tr', { hasText: '401' }).first().waitFor();
  });

  it('fills the keys, login and settings views for screenshots', async () => {
    await show('keys');
    await page.getByRole('button', { name: 'New key' }).click();
    await page.getByLabel('Name').fill('ci-runner');
    await page.getByLabel('Read').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('I have saved this key').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await page.locator('.keys-table tr', { hasText: 'render-bot' }).click();
    await shoot('keys', 'filled', () => page.locator('.usage-panel .uplot').waitFor());
    await shoot('monitor', 'filled', () => page.locator('.uplot').nth(1).waitFor());
    await show('login');
    await page.getByRole('button', { name: 'Validate and save' }).click();
    await shoot('login', 'filled', () => page.locator('.check-pass', { hasText: 'Reachable' }).waitFor());
    await show('settings');
    await page.getByLabel('Listen port').fill('70000');
    await page.getByLabel('Allowed extra origins').fill('http://localhost:5173\nnot a url');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('listenPort must be between 1 and 65535').waitFor();
    await shoot('settings', 'filled', () => page.getByText('each allowed origin must look like').waitFor());
    await setTheme('light');
  });

  it('cloud login: an unknown key shows the server message', async () => {
    await show('cloud');
    await page.getByRole('radio', { name: 'Custom' }).click();
    await page.getByLabel('Base URL').fill(stack.cloud.baseUrl);
    await page.getByLabel('Comfy API key').fill('nonsense');
    await page.getByText('A Comfy API key starts with "comfyui-"').waitFor();
    expect(await page.getByRole('button', { name: 'Log in' }).isDisabled()).toBe(true);
    await page.getByLabel('Comfy API key').fill(CLOUD_KEY);
    await page.getByText('Looks like a Comfy API key').waitFor();
    await page.getByLabel('Comfy API key').press('Enter');
    await page.getByText('Invalid key: Invalid or expired API key').waitFor();
  });

  it('cloud login: rate limited, the UI counts down the retry, then logs in and shows the account', async () => {
    stack.cloud.accounts.set(CLOUD_KEY, { id: 'acct_42', email: 'ada@example.com', name: 'Ada Lovelace' });
    stack.cloud.balances.set(CLOUD_KEY, { amount_micros: 1234, currency: 'usd' });
    stack.cloud.script('/account', { status: 429, headers: { 'retry-after': '2' }, json: { error: { type: 'rate_limited', message: 'Too many requests' } } });
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText(/Rate limited — retrying in \d s/).waitFor();
    await page.getByText('ada@example.com').waitFor({ timeout: 10_000 });
    expect(await page.locator('.big-number').innerText()).toMatch(/12\.34/);
    expect(await page.content()).not.toContain(CLOUD_KEY);
    await shoot('cloud', 'filled', () => page.getByText('ada@example.com').waitFor());
    await setTheme('light');
  });

  it('"Get one here" asks main to open the platform login page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('Log in to Comfy Cloud').waitFor();
    await page.getByRole('button', { name: 'No key? Get one here' }).click();
    await expect.poll(() => stack.opened).toEqual(['https://platform.comfy.org/login']);
  });

  // The 2 s promise is the health sampler's interval; a busy machine may take longer to show it, so the
  // waits here use Playwright's default deadline rather than asserting wall-clock time.
  it('an upstream that stops is shown down, and up again after it restarts', async () => {
    await show('monitor');
    const state = page.getByTestId('upstream-state');
    await state.filter({ hasText: 'Up' }).waitFor();
    await stack.comfy.stop();
    await state.filter({ hasText: 'Down' }).waitFor();
    await stack.comfy.restart();
    await state.filter({ hasText: 'Up' }).waitFor();
  });

  it('the page kept its CSP (no violations), no errors, and talked only through the contract', async () => {
    expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(stack.bridge.calls.length).toBeGreaterThan(5);
  });
});
