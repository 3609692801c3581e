// Access keys end to end in Chromium over the real services: create with an access level and limits, the
// show-once dialog (one line, how to use it, must be confirmed), the key working through the proxy, the
// row menu, disable/enable (reversible) versus revoke (final, typed confirmation). Screenshots: keys-list,
// keys-row-menu, keys-create, keys-secret, keys-revoke-confirm, keys-disabled-and-revoked.
import { describe, expect, it } from 'vitest';
import { canRunWindowTests, useWindowPage } from './bridge/windowPage';

describe.skipIf(!canRunWindowTests)('access keys in the window (Chromium, real services)', () => {
  const w = useWindowPage();
  let secret = '';

  const row = (name: string) => w().page.locator('.keys-table tbody tr', { hasText: name });
  async function createKey(name: string, level: 'Read' | 'Generate' | 'Admin', jobsPerHour?: string): Promise<string> {
    const { page } = w();
    await page.getByRole('button', { name: 'New access key' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('radio', { name: level }).click();
    if (jobsPerHour) await page.getByLabel('Jobs per hour').fill(jobsPerHour);
    await page.getByRole('button', { name: 'Create key' }).click();
    const box = page.getByRole('textbox', { name: 'New access key', exact: true });
    await box.waitFor();
    const value = await box.inputValue();
    await page.getByLabel('I have copied this key').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await box.waitFor({ state: 'detached' });
    return value;
  }

  it('creates a key: access level and limits with plain help, Create off while invalid, the secret on one line', async () => {
    const { page } = w();
    await w().show('keys');
    await page.getByText('No access keys yet').waitFor();
    await page.getByRole('button', { name: 'Create your first access key' }).click();
    const create = page.getByRole('button', { name: 'Create key' });
    // Nothing typed yet: Create is off; a bad limit says what is wrong in words, naming the field.
    expect(await create.isDisabled()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('render-bot');
    await page.getByLabel('Jobs per hour').fill('0');
    await page.getByText('Jobs per hour must be at least 1.').waitFor();
    expect(await create.isDisabled()).toBe(true);
    await page.getByLabel('Jobs per hour').fill('50');
    await page.getByLabel('Jobs in the queue at once').fill('3');
    await page.getByRole('radio', { name: 'Generate' }).click();
    await page.getByText('Use ComfyUI fully: queue jobs').waitFor();
    await page.getByRole('button', { name: 'More options' }).click();
    await page.getByLabel('ComfyUI user folder').fill('render-bot');
    expect(await create.isDisabled()).toBe(false);
    await w().shoot('keys-create');

    await create.click();
    const box = page.getByRole('textbox', { name: 'New access key', exact: true });
    await box.waitFor();
    secret = await box.inputValue();
    expect(secret).toMatch(/^comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/);
    // One line: an input, not a wrapping textarea, and wide enough to show all 56 characters.
    expect(await box.evaluate((el) => el.tagName)).toBe('INPUT');
    expect(await box.evaluate((el) => (el as HTMLInputElement).scrollWidth <= (el as HTMLInputElement).clientWidth + 1)).toBe(true);
    await page.getByText('How to use it').waitFor();
    expect(await page.locator('.howto').innerText()).toContain(`${w().stack.proxyUrl()}`);
    await w().shoot('keys-secret');
    // Esc does not close it, and Done stays off until the user confirms.
    await page.keyboard.press('Escape');
    expect(await box.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Done' }).isDisabled()).toBe(true);
    await page.getByLabel('I have copied this key').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await box.waitFor({ state: 'detached' });
    await row('render-bot').waitFor();
    expect(await page.content()).not.toContain(secret);
    const saved = w().stack.keys.store.list().find((k) => k.name === 'render-bot');
    expect(saved).toMatchObject({ rate_limit: 50, scopes: ['generate'] });
  });

  it('the key works through the proxy, and the list shows its prefix, level and "jobs this hour x / limit"', async () => {
    const { page } = w();
    expect((await w().proxyFetch('/system_stats', secret)).status).toBe(200);
    expect((await w().proxyFetch('/queue', secret)).status).toBe(200);
    // Two jobs: they count against "jobs this hour" and wait in ComfyUI's queue (queued 2 of 3).
    for (let i = 0; i < 2; i++) {
      const body = JSON.stringify({ prompt: { '3': { class_type: 'KSampler', inputs: {} }, '9': { class_type: 'SaveImage', inputs: {} } } });
      expect((await w().proxyFetch('/prompt', secret, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
    }
    await createKey('ci-runner', 'Read');
    await createKey('ada-laptop', 'Admin', '500');
    const intern = await createKey('old-intern', 'Generate');
    await createKey('paused-bot', 'Generate');
    expect((await w().proxyFetch('/queue', intern)).status).toBe(200);
    const r = row('render-bot');
    expect(await r.locator('td').nth(1).innerText()).toBe('Generate');
    await r.locator('.usage-text', { hasText: '2 / 50' }).waitFor();
    await r.locator('td', { hasText: '2 / 3' }).waitFor();
    expect(await r.locator('.mono').innerText()).toBe(`${secret.slice(0, 10)}…`);
    expect(await row('ci-runner').locator('td').nth(1).innerText()).toBe('Read');
    expect(await page.locator('.keys-table th').allInnerTexts()).toEqual(['Name', 'Access', 'Jobs this hour', 'Queued', 'Last used', 'Expires', 'Status', 'Actions']);
    await r.click();
    await page.locator('.usage-panel .uplot').waitFor();
    await w().shoot('keys-list', () => page.locator('.usage-panel .uplot').waitFor());
  });

  it('row actions live in one menu; Disable is reversible and the key is refused while disabled', async () => {
    const { page } = w();
    await row('render-bot').getByRole('button', { name: 'Actions for render-bot' }).click();
    const menu = page.getByRole('menu', { name: 'Actions for render-bot' });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual([
      'Edit…',
      'Disable\nRefuse it until you enable it again',
      'Rotate secret…\nNew secret; the old one stops working',
      'Create a key like this…',
      'Revoke…\nFinal: it can never be used again',
    ]);
    await w().shoot('keys-row-menu');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    await row('paused-bot').getByRole('button', { name: 'Actions for paused-bot' }).click();
    await page.getByRole('menuitem', { name: /^Disable/ }).click();
    await row('paused-bot').locator('.badge', { hasText: 'Disabled' }).waitFor();
    await row('render-bot').getByRole('button', { name: 'Actions for render-bot' }).click();
    await page.getByRole('menuitem', { name: /^Disable/ }).click();
    await row('render-bot').locator('.badge', { hasText: 'Disabled' }).waitFor();
    expect((await w().proxyFetch('/queue', secret)).status).toBe(401);
    await row('render-bot').getByRole('button', { name: 'Actions for render-bot' }).click();
    await page.getByRole('menuitem', { name: /^Enable/ }).click();
    await row('render-bot').locator('.badge', { hasText: 'Active' }).waitFor();
    expect((await w().proxyFetch('/queue', secret)).status).toBe(200);
  });

  it('Revoke is final: typed name, "Disable instead" offered, then the key is refused and cannot be enabled or rotated', async () => {
    const { page } = w();
    const intern = w().stack.keys.store.list().find((k) => k.name === 'old-intern');
    await row('old-intern').getByRole('button', { name: 'Actions for old-intern' }).click();
    await page.getByRole('menuitem', { name: /^Revoke/ }).click();
    const confirm = page.getByRole('button', { name: 'Revoke key' });
    expect(await confirm.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Disable instead' }).isVisible()).toBe(true);
    await page.getByLabel('Key name to confirm').fill('old-intern');
    expect(await confirm.isDisabled()).toBe(false);
    await w().shoot('keys-revoke-confirm');
    await confirm.click();
    await row('old-intern').locator('.badge', { hasText: 'Revoked' }).waitFor();
    // Revoked keys sink to the bottom; the menu cannot bring them back.
    expect(await page.locator('.keys-table tbody tr').last().innerText()).toContain('old-intern');
    await row('old-intern').getByRole('button', { name: 'Actions for old-intern' }).click();
    expect(await page.getByRole('menuitem', { name: /^Enable/ }).isDisabled()).toBe(true);
    expect(await page.getByRole('menuitem', { name: /^Rotate/ }).isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await page.locator('.keys-table tr.selected').click();
    await page.mouse.move(1, 1);
    await w().shoot('keys-disabled-and-revoked');
    const rotated = await w().stack.bridge.invoke('keys:rotate', { id: intern?.key_id ?? '' });
    expect(rotated.ok).toBe(false);
  });

  it('browser sessions are counted on Access keys, with "Log out all browsers"', async () => {
    const { page } = w();
    const login = await fetch(`${w().stack.proxyUrl()}/auth/login`, {
      method: 'POST',
      headers: { origin: w().stack.proxyUrl(), 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: secret, remember: false }),
    });
    expect(login.status).toBe(200);
    await page.getByTestId('browser-sessions').filter({ hasText: '1 browser is logged in' }).waitFor();
    await page.getByRole('button', { name: 'Log out all browsers' }).click();
    await page.getByText('1 browser was logged out.').waitFor();
    expect(w().stack.sessions()).toBe(0);
  });

  it('kept its CSP, raised no page errors', async () => {
    expect(await w().page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(w().pageErrors).toEqual([]);
  });
});
