// Who may spend the owner's Comfy credits, in the window (issue 21), over the real services: the key form's
// "Comfy account" part (plain words, a daily cap checked as you type), the notice on Access keys while keys
// may not, and the Cloud view listing the keys that may, with their paid-API-node jobs today.
// Screenshots: keys-form-cloud, keys-cloud-notice, cloud-spenders.
import { describe, expect, it } from 'vitest';
import { canRunWindowTests, useWindowPage } from './bridge/windowPage';

const CLOUD_KEY = `comfyui-${'z9Y8x7W6v5U4t3S2'.repeat(2)}`;
const API_PROMPT = {
  '1': { class_type: 'OpenAIDalle3', inputs: { prompt: 'a lighthouse' } },
  '9': { class_type: 'SaveImage', inputs: { images: ['1', 0] } },
};

describe.skipIf(!canRunWindowTests)('the Comfy account permission in the window (Chromium, real services)', () => {
  const w = useWindowPage(async (win) => {
    const { stack } = win;
    stack.cloud.accounts.set(CLOUD_KEY, { id: 'acct_7', email: 'owner@example.com', name: 'Box Owner' });
    stack.cloud.balances.set(CLOUD_KEY, { amount_micros: 50_000, currency: 'usd' });
    await stack.account.loginCloud({ key: CLOUD_KEY, environment: 'custom', customBaseUrl: stack.cloud.baseUrl });
    await stack.keys.store.create({ name: 'old-script' });
  });

  it('Access keys says which keys may not spend the credits, and the form allows one with a daily cap', async () => {
    const { page, stack } = w();
    await w().show('keys');
    const notice = page.getByTestId('cloud-permission-notice');
    await notice.getByText('1 key does not spend your Comfy credits').waitFor();
    await w().shoot('keys-cloud-notice');

    await page.getByRole('button', { name: 'New access key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('designer');
    await page.getByText('Off: workflows with paid API nodes are refused for this key').waitFor();
    expect(await page.getByLabel('Paid API jobs per day').count()).toBe(0);
    await page.getByRole('switch', { name: 'May spend your Comfy credits' }).check();
    await page.getByText('run on your Comfy account and use your credits').waitFor();
    await page.getByLabel('Paid API jobs per day').fill('0');
    await page.getByText('Paid API jobs per day must be at least 1').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    await page.getByLabel('Paid API jobs per day').fill('3');
    await w().shoot('keys-form-cloud');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('I have copied this key').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => stack.keys.store.list().find((k) => k.name === 'designer')).toMatchObject({ cloud: true, cloud_jobs_per_day: 3 });
  });

  it('the Cloud view lists the keys that may spend the account, with their paid API jobs today', async () => {
    const { page, stack } = w();
    const designer = stack.keys.store.list().find((k) => k.name === 'designer')!;
    const { secret } = await stack.keys.store.rotate(designer.key_id);
    const res = await w().proxyFetch('/prompt', secret, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: API_PROMPT }) });
    expect(res.status).toBe(200);
    await w().show('cloud');
    const table = page.getByRole('table', { name: 'Keys that may spend the Comfy account' });
    await table.waitFor();
    const row = table.locator('tbody tr', { hasText: 'designer' });
    await expect.poll(async () => (await row.innerText()).replace(/\s+/g, ' ').trim()).toBe('designer 1 3');
    expect(await table.locator('tbody tr', { hasText: 'old-script' }).count()).toBe(0);
    await page.getByText('1 other active key may not spend them.').waitFor();
    expect(await page.content()).not.toContain(CLOUD_KEY);
    await w().shoot('cloud-spenders', () => page.getByText('owner@example.com').waitFor());
  });
});
