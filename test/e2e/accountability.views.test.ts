// The Usage and Audit log views in Debian's Chromium over the real services (the app's composition
// root): empty states, a filled day (keys changed from the app and over HTTP, logins good and bad,
// requests and finished jobs), filters, and exports written by main through its save dialog.
// Screenshots: test-results/screenshots/{usage,audit}-{light,dark}-{empty,filled}.png.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../main/jobs/types';
import { RENDERER_DIR } from './bridge/bridgeServer';
import { startCompanionStack, type CompanionStack } from './bridge/companionStack';

const SHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const TITLES = { usage: 'Usage', audit: 'Audit log' } as const;
const DAY = 86_400_000;

describe('usage and audit views (Chromium, real services)', () => {
  let stack: CompanionStack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startCompanionStack();
    // A missing browser or renderer build is a loud failure, not a skip (test/helpers/chromium.ts).
    if (!existsSync(`${RENDERER_DIR}index.html`)) throw new Error(`${RENDERER_DIR}index.html is missing: run "npm run build:renderer" first`);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, deviceScaleFactor: 1 });
    page = await context.newPage();
    // A step that cannot happen fails with its own locator in the message, well inside the test timeout.
    page.setDefaultTimeout(8000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.goto(`${stack.bridge.url}index.html`);
    await page.locator('.nav').waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function show(view: keyof typeof TITLES): Promise<void> {
    await page.locator('.nav-item', { hasText: TITLES[view] }).click();
    await page.locator('.view-header h1', { hasText: TITLES[view] }).waitFor();
  }
  async function shoot(view: keyof typeof TITLES, state: string, ready: () => Promise<void>): Promise<void> {
    for (const theme of ['light', 'dark'] as const) {
      stack.settings.update({ theme });
      await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
      await show(view);
      await ready();
      await page.screenshot({ path: `${SHOTS}${view}-${theme}-${state}.png`, fullPage: true });
    }
    stack.settings.update({ theme: 'light' });
  }
  /** An IPC call made by the page itself, through the same bridge the views use. */
  async function invoke<T>(channel: string, req: unknown): Promise<T> {
    const r = await page.evaluate(([c, q]) => (window as unknown as { companion: { invoke(c: string, q: unknown): Promise<{ ok: boolean; value: unknown }> } }).companion.invoke(c as string, q), [channel, req] as const);
    expect(r.ok).toBe(true);
    return r.value as T;
  }
  const proxy = (path: string, init: RequestInit & { secret?: string } = {}) =>
    fetch(`${stack.proxyUrl()}${path}`, { ...init, headers: { origin: stack.proxyUrl(), ...(init.secret ? { authorization: `Bearer ${init.secret}` } : {}), ...(init.headers as Record<string, string>) } });

  it('shows both views empty, light and dark', async () => {
    await shoot('usage', 'empty', () => page.getByText('No usage in this window').waitFor());
    // The theme changes above are themselves audited, so the log starts with those settings changes.
    await shoot('audit', 'empty', () => page.locator('.audit-table').waitFor());
    expect(await page.locator('.audit-table tbody tr').first().innerText()).toMatch(/Settings changed/);
  });

  it('fills with a day of keys, logins, requests and jobs', async () => {
    type Created = { key: { id: string }; secret: string };
    const ops = await invoke<Created>('keys:create', { name: 'ops-script', scopes: ['admin'] });
    const alice = await invoke<Created>('keys:create', { name: 'alice' });
    const bob = await invoke<Created>('keys:create', { name: 'bob "renderer", night shift' });
    secrets.push(ops.secret, alice.secret, bob.secret);
    expect((await proxy(`/api/keys/${bob.key.id}`, { method: 'PATCH', secret: ops.secret, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rate_limit: 60 }) })).status).toBe(200);
    const badLogin = await proxy('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: 'comfy_not-a-real-key' }) });
    expect(badLogin.status).toBe(401);
    expect((await proxy('/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_key: alice.secret }) })).status).toBe(200);
    for (let i = 0; i < 6; i++) await proxy('/queue', { secret: i % 2 ? alice.secret : bob.secret });
    // Finished jobs over the last ten days, as the job ledger reports them (its wiring lands with the
    // lead's JobLedger; the usage recorder's listener is the same either way).
    const now = Date.now();
    let n = 0;
    const finish = (owner: string, daysAgo: number, seconds: number, state: Job['state']) => {
      const finishedAt = now - daysAgo * DAY;
      stack.keys.usage.onJobEvent({ type: 'finished', job: { promptId: `p${n++}`, owner, ownerName: null, clientId: null, upstream: stack.comfy.url, number: n, state, queuedAt: finishedAt - seconds * 1000 - 500, startedAt: finishedAt - seconds * 1000, finishedAt, outputs: [], error: null, workflowName: null } });
    };
    for (let d = 0; d < 10; d++) {
      for (let j = 0; j < (d * 7) % 5 + 1; j++) finish(alice.key.id, d, 30 + j * 17, 'success');
      if (d % 3 === 0) finish(bob.key.id, d, 95, d % 2 ? 'error' : 'success');
    }
    finish(bob.key.id, 1, 12, 'interrupted');
    await invoke('keys:update', { id: bob.key.id, patch: { isActive: false } });
    await invoke('keys:rotate', { id: alice.key.id }).then((r) => secrets.push((r as Created).secret));
  });

  it('shows usage per key: top keys, jobs and GPU time per day', async () => {
    await show('usage');
    await page.getByRole('radio', { name: '30 days' }).click();
    await page.locator('.usage-table tr', { hasText: 'alice' }).click();
    await shoot('usage', 'filled', async () => {
      await page.locator('.usage-table tr.selected', { hasText: 'alice' }).waitFor();
      await page.locator('figcaption', { hasText: 'GPU time per day (minutes) — alice' }).waitFor();
    });
    const rows = await page.locator('.usage-table tbody tr').allInnerTexts();
    expect(rows[0]).toMatch(/^alice/); // most GPU time first
    expect(rows[1]).toMatch(/bob "renderer", night shift/);
  });

  it('shows the audit log with names, filters it, and never shows a secret', async () => {
    await shoot('audit', 'filled', () => page.locator('.audit-table tr', { hasText: 'Failed login' }).waitFor());
    await page.getByLabel('Event').selectOption('login.failed');
    await page.locator('.audit-table tbody tr').first().filter({ hasText: 'Failed login' }).waitFor();
    await expect.poll(() => page.locator('.audit-table tbody tr').count()).toBe(1);
    await page.getByLabel('Event').selectOption('');
    await page.getByLabel('Actor').selectOption({ label: 'ops-script' });
    await page.locator('.audit-table tbody tr', { hasText: 'Key edited' }).waitFor();
    // The filtered list arrives over IPC; the row above was already there before it did.
    await expect.poll(() => page.locator('.audit-table tbody tr').count()).toBe(1);
    await page.getByLabel('Actor').selectOption('');
    const html = await page.content();
    for (const s of secrets) expect(html).not.toContain(s);
    expect(html).not.toContain('comfy_not-a-real-key');
  });

  it('exports the audit log and usage through main’s save dialog; cancelling writes nothing', async () => {
    const auditCsv = join(stack.dataDir, 'export-audit.csv');
    stack.saveDialog.next = auditCsv;
    await page.getByRole('group', { name: 'Export the audit log' }).getByRole('button', { name: 'Export CSV' }).click();
    await page.locator('.banner-ok', { hasText: auditCsv }).waitFor();
    const rows = parse(readFileSync(auditCsv, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.event)).toContain('login.failed');
    expect(stack.saveDialog.asked.at(-1)).toMatch(/^comfyui-audit-\d{4}-\d{2}-\d{2}\.csv$/);

    await show('usage');
    const usageJson = join(stack.dataDir, 'export-usage.json');
    stack.saveDialog.next = usageJson;
    await page.getByRole('button', { name: 'Export JSON' }).click();
    await page.locator('.banner-ok', { hasText: usageJson }).waitFor();
    const exported = JSON.parse(readFileSync(usageJson, 'utf8')) as { days: number; rows: { key_name: string; gpu_seconds: number }[] };
    expect(exported.days).toBe(30);
    expect(exported.rows.some((r) => r.key_name === 'alice' || r.key_name.startsWith('alice'))).toBe(true);
    await page.screenshot({ path: `${SHOTS}usage-light-exported.png` });

    stack.saveDialog.next = null;
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await page.locator('.banner-ok', { hasText: 'Export cancelled' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
