// Private uploads from the web UI in Chromium (SPEC §8.3), against the fake ComfyUI's page, which uploads like
// ComfyUI's frontend: Alice logs in, uploads a photo to the Load Image widget, sees its preview, reloads and finds
// it still chosen and in the widget's list; Bob, logged in next to her, never has it in his list, and a workflow of
// his naming it (as if Alice had shared the workflow) shows no preview. Screenshots: private-upload-alice,
// private-upload-alice-reloaded, private-upload-bob.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../fixtures/fakeComfy';
import { launchChromium } from '../helpers/chromium';
import { request } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/proxyHarness';

const SHOTS = join(process.cwd(), 'test-results', 'screenshots');

describe('private uploads from the web UI (Chromium)', () => {
  let h: Harness;
  let browser: Browser;
  const keys: Record<'alice' | 'bob', { id: string; secret: string }> = {} as never;
  let alice: Page;
  let bob: Page;
  let uploaded = '';

  /** A logged-in page: the key in the address bar is traded for a session cookie (SPEC §2), then the UI. */
  async function pageFor(secret: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 640, height: 420 } });
    const page = await context.newPage();
    await page.goto(`${h.url}/?api_key=${secret}`);
    await page.waitForFunction(() => document.body.dataset.widgetReady === 'true');
    return page;
  }
  const choices = (page: Page) => page.evaluate(() => JSON.parse(document.body.dataset.choices ?? '[]') as string[]);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startHarness();
    for (const name of ['alice', 'bob'] as const) {
      const res = await request(`${h.url}/api/keys`, { method: 'POST', headers: { ...h.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      const { key_id: id, api_key: secret } = res.json<{ key_id: string; api_key: string }>();
      keys[name] = { id, secret };
    }
    browser = await launchChromium();
    alice = await pageFor(keys.alice.secret);
    bob = await pageFor(keys.bob.secret);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('Alice uploads a photo: the widget names it subfolder/name in her folder and shows its preview', async () => {
    await alice.locator('#image-upload').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: makePng(24, 24) });
    await alice.waitForFunction(() => document.body.dataset.uploaded !== undefined && document.body.dataset.previewLoaded !== 'pending');
    uploaded = await alice.evaluate(() => document.body.dataset.uploaded ?? '');
    expect(uploaded).toBe(`private-${keys.alice.id}/holiday.png`);
    expect(await alice.evaluate(() => document.body.dataset.previewLoaded)).toBe('true');
    expect(h.fake.files.get('input', `private-${keys.alice.id}`, 'holiday.png')).toBeDefined();
    await alice.screenshot({ path: join(SHOTS, 'private-upload-alice.png') });
  });

  it('after a reload her file is still chosen, listed by /object_info and previewed', async () => {
    await alice.reload();
    await alice.waitForFunction(() => document.body.dataset.widgetReady === 'true' && document.body.dataset.previewLoaded !== 'pending');
    expect(await choices(alice)).toEqual([uploaded, 'example.png']);
    expect(await alice.locator('#image-choice').inputValue()).toBe(uploaded);
    expect(await alice.evaluate(() => document.body.dataset.previewLoaded)).toBe('true');
    await alice.screenshot({ path: join(SHOTS, 'private-upload-alice-reloaded.png') });
  });

  // (Bob's page shows "closed 1006" for its socket: the fake page's fixed clientId "page" is already Alice's.)
  it('Bob never has it in his list, cannot open it, and his copy of her workflow shows no preview', async () => {
    expect(await choices(bob)).toEqual(['example.png']);
    const [dir, name] = [uploaded.slice(0, uploaded.lastIndexOf('/')), uploaded.slice(uploaded.lastIndexOf('/') + 1)];
    const status = await bob.evaluate(async (q) => (await fetch(`/view?${q}`)).status, `filename=${name}&type=input&subfolder=${dir}`);
    expect(status).toBe(404);
    await bob.evaluate((value) => localStorage.setItem('fake-workflow-image', value), uploaded);
    await bob.reload();
    await bob.waitForFunction(() => document.body.dataset.widgetReady === 'true' && document.body.dataset.previewLoaded !== 'pending');
    expect(await bob.evaluate(() => document.body.dataset.previewLoaded)).toBe('false');
    expect(await choices(bob)).toEqual(['example.png']);
    await bob.screenshot({ path: join(SHOTS, 'private-upload-bob.png') });
  });
});
