// The shared box as its people meet it, in Chromium against the fake ComfyUI (whose page reads `status` the way
// ComfyUI's frontends do: test/fixtures/fakeComfyPage.ts). While alice's job runs, bob's queue badge, "Cancel
// current run" and "Clear pending" follow his own jobs, and the proxy's note says the GPU is busy and where his
// job stands; his cancel takes his waiting job out. After a revocation or an expiry the page's own bounce lands
// on a login page that says why, and a headless proxy tells people to ask whoever runs the box for a key.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';

const SHOTS = join(process.cwd(), 'test-results', 'screenshots');

let h: Harness;
let browser: Browser;
let clock = Date.now();
const keys: Record<string, { id: string; secret: string }> = {};
let seed = 0;

/** Queues a one-node job as this key for its page's socket (clientId), the way the web UI's Run does. */
async function queueJob(name: string): Promise<string> {
  const res = await request(`${h.url}/prompt`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[name]?.secret ?? ''}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: `${name}-page`, prompt: { '1': { class_type: 'SaveImage', inputs: { filename_prefix: `s${++seed}` } } } }),
  });
  if (res.status !== 200) throw new Error(`queueing for ${name}: ${res.status} ${res.text}`);
  return res.json<{ prompt_id: string }>().prompt_id;
}

/** A browser of its own for one person, logged in with their key on the login page. */
async function loggedIn(name: string, colorScheme: 'light' | 'dark' = 'light', clientId = `${name}-page`): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 760, height: 420 }, colorScheme });
  const page = await context.newPage();
  await page.goto(`${h.url}/?clientId=${clientId}`);
  expect(new URL(page.url()).pathname).toBe('/auth_login.html');
  await page.getByLabel('Access key').fill(keys[name]?.secret ?? '');
  await Promise.all([page.waitForURL(`${h.url}/?clientId=${clientId}`), page.getByRole('button', { name: 'Log in' }).click()]);
  await page.waitForFunction(() => document.body.dataset.queueRemaining !== undefined);
  return page;
}

const note = (page: Page) => page.locator('#comfy-companion-queue-note');
const controls = (page: Page) =>
  page.evaluate(() => ({
    badge: document.getElementById('queue-badge')?.hidden ? null : document.getElementById('queue-badge')?.textContent,
    cancel: !(document.getElementById('interrupt') as HTMLButtonElement).disabled,
    clear: !(document.getElementById('clear-pending') as HTMLButtonElement).disabled,
    items: Number(document.body.dataset.queueItems ?? '0'),
  }));
async function shoot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${file}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  h = await startHarness({ headless: true, now: () => clock });
  for (const name of ['alice', 'bob', 'carol', 'dave']) {
    const expires = name === 'carol' || name === 'dave' ? { expires_at: Math.floor(clock / 1000) + 3600 } : {};
    const { record, secret } = await h.stack.keys.store.create({ name, ...expires });
    keys[name] = { id: record.key_id, secret };
  }
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('a key’s queue controls while another key’s job runs', () => {
  let alice: Page;
  let bob: Page;
  let running = '';

  beforeAll(async () => {
    alice = await loggedIn('alice');
    bob = await loggedIn('bob');
    running = await queueJob('alice');
    void h.fake.runFakeJob(running, undefined, 2, { ms: 120_000 });
    await alice.waitForFunction(() => document.body.dataset.queueItems === '1');
    await alice.waitForFunction(() => document.body.dataset.queueRemaining === '1');
  }, 60_000);

  it('with nothing of bob’s queued: no badge, nothing to cancel or clear, and a note that the GPU is busy', async () => {
    await expect.poll(() => h.stack.proxy.ledger.get(running)?.state).toBe('running');
    await note(bob).filter({ hasText: 'The GPU is busy with 1 job of others; yours would wait for it.' }).waitFor();
    expect(await controls(bob)).toEqual({ badge: null, cancel: false, clear: false, items: 0 });
    expect(await bob.locator('#queue-list').textContent()).toBe('No Tasks Found');
    // Alice's own view: her running job, which she may cancel; no note (nothing of others).
    expect(await controls(alice)).toEqual({ badge: '1', cancel: true, clear: false, items: 1 });
    expect(await note(alice).count()).toBe(0);
    await shoot(bob, 'key-queue-idle-light');
    const dark = await loggedIn('bob', 'dark', 'bob-dark');
    await note(dark).filter({ hasText: 'The GPU is busy' }).waitFor();
    await shoot(dark, 'key-queue-idle-dark');
    await dark.context().close();
  });

  it('with bob’s job waiting: his badge and list agree, his cancel is usable and takes his job out', async () => {
    const mine = await queueJob('bob');
    await note(bob).filter({ hasText: 'Your job is waiting: 1 job of others runs before it.' }).waitFor();
    await bob.waitForFunction(() => document.body.dataset.queueItems === '1');
    expect(await controls(bob)).toEqual({ badge: '1', cancel: true, clear: false, items: 1 });
    expect(await bob.locator('#queue-list').textContent()).toBe(`Pending · ${mine}`);
    await shoot(bob, 'key-queue-waiting-light');
    const dark = await loggedIn('bob', 'dark', 'bob-dark');
    await note(dark).filter({ hasText: 'Your job is waiting' }).waitFor();
    await dark.waitForFunction(() => document.body.dataset.queueItems === '1');
    await shoot(dark, 'key-queue-waiting-dark');
    await dark.context().close();

    await bob.getByRole('button', { name: 'Cancel current run' }).click();
    await bob.waitForFunction(() => document.body.dataset.lastInterrupt !== undefined);
    expect(await bob.evaluate(() => document.body.dataset.lastInterrupt)).toBe('200');
    await bob.waitForFunction(() => document.body.dataset.queueRemaining === '0' && document.body.dataset.queueItems === '0');
    expect(await controls(bob)).toEqual({ badge: null, cancel: false, clear: false, items: 0 });
    expect(h.stack.proxy.ledger.get(mine)?.state).toBe('deleted');
    expect(h.stack.proxy.ledger.get(running)?.state).toBe('running');
    await note(bob).filter({ hasText: 'The GPU is busy with 1 job of others' }).waitFor();
  });

  it('with two of bob’s jobs: "Clear pending" is usable and clears his, not alice’s', async () => {
    await queueJob('bob');
    await queueJob('bob');
    await bob.waitForFunction(() => document.body.dataset.queueRemaining === '2' && document.body.dataset.queueItems === '2');
    expect(await controls(bob)).toEqual({ badge: '2', cancel: true, clear: true, items: 2 });
    await bob.getByRole('button', { name: 'Clear pending tasks' }).click();
    await bob.waitForFunction(() => document.body.dataset.queueRemaining === '0' && document.body.dataset.queueItems === '0');
    expect(await bob.evaluate(() => document.body.dataset.lastClear)).toBe('200');
    expect(h.stack.proxy.ledger.get(running)?.state).toBe('running');
    h.fake.interrupt(running);
    await alice.waitForFunction(() => document.body.dataset.queueRemaining === '0');
    await note(bob).filter({ hasText: 'The GPU is busy' }).waitFor({ state: 'hidden' });
  });
});

describe('the login page after the key stops working', () => {
  /** The page's own script notices on its next request (ComfyUI's UI makes them all the time). */
  async function bounce(page: Page): Promise<URL> {
    await Promise.all([page.waitForURL((u) => u.pathname === '/auth_login.html'), page.evaluate(() => void fetch('/queue'))]);
    return new URL(page.url());
  }

  it('after a revocation says so, and a headless box says to ask whoever runs it for a key', async () => {
    const page = await loggedIn('bob');
    const dark = await loggedIn('bob', 'dark', 'bob-dark');
    await h.stack.keys.store.revoke(keys.bob?.id ?? '');
    for (const [p, clientId] of [[page, 'bob-page'], [dark, 'bob-dark']] as const) {
      const url = await bounce(p);
      expect(url.searchParams.get('reason')).toBe('revoked');
      expect(url.searchParams.get('next')).toBe(`/?clientId=${clientId}`);
      expect(await p.locator('#login-hint').textContent()).toBe('You were logged out because the key you used was revoked or replaced.');
      expect(await p.locator('#key-help').textContent()).toBe('Access keys start with comfy_. Ask whoever runs this ComfyUI for one.');
    }
    await shoot(page, 'login-after-revocation-light');
    await shoot(dark, 'login-after-revocation-dark');
  });

  it('after an expiry says so', async () => {
    const page = await loggedIn('carol');
    const dark = await loggedIn('dave', 'dark');
    clock += 2 * 3600 * 1000;
    for (const p of [page, dark]) {
      const url = await bounce(p);
      expect(url.searchParams.get('reason')).toBe('expired');
      expect(await p.locator('#login-hint').textContent()).toBe('You were logged out because the key you used has expired.');
    }
    await shoot(page, 'login-after-expiry-light');
    await shoot(dark, 'login-after-expiry-dark');
  });
});
