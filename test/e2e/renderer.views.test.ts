// Comfy Cloud, Monitor and Settings end to end in Chromium over the real services (proxy, job ledger,
// fake ComfyUI, fake Comfy Cloud). Screenshots: cloud-logged-out, cloud-logged-in, monitor-live,
// settings-invalid, settings-shared-folders, notification-settings.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { canRunWindowTests, useWindowPage } from './bridge/windowPage';

const CLOUD_KEY = `comfyui-${'a1B2c3D4e5F6g7H8'.repeat(2)}`;
const PROMPT = {
  '4': { class_type: 'CheckpointLoaderSimple', inputs: {} },
  '3': { class_type: 'KSampler', inputs: {}, _meta: { title: 'KSampler (hi-res fix)' } },
  '9': { class_type: 'SaveImage', inputs: {} },
};

describe.skipIf(!canRunWindowTests)('Cloud, Monitor and Settings (Chromium, real services)', () => {
  const w = useWindowPage();

  it('Cloud, logged out: a clear "Get a key", the key checked as you type, Staging only under Advanced', async () => {
    const { page, stack } = w();
    await w().show('cloud');
    await page.getByText('Connect your Comfy account').waitFor();
    expect(await page.getByRole('radio', { name: 'Staging' }).count()).toBe(0);
    expect(await page.getByText('Status', { exact: true }).count()).toBe(0);
    await page.getByLabel('Comfy API key').fill('nonsense');
    await page.getByText('A Comfy API key starts with "comfyui-"').waitFor();
    expect(await page.getByRole('button', { name: 'Connect', exact: true }).isDisabled()).toBe(true);
    await page.getByLabel('Comfy API key').fill('');
    await w().shoot('cloud-logged-out');
    await page.getByRole('button', { name: 'Get a key' }).click();
    await expect.poll(() => stack.opened).toEqual(['https://platform.comfy.org/login']);
  });

  it('Cloud: a refused key shows the server\'s reason; a 429 counts down, then the account, credits and "last updated" show', async () => {
    const { page, stack } = w();
    await page.getByRole('button', { name: 'Advanced' }).click();
    await page.getByRole('radio', { name: 'Custom URL' }).click();
    await page.getByLabel('Base URL').fill(stack.cloud.baseUrl);
    await page.getByLabel('Comfy API key').fill(CLOUD_KEY);
    await page.getByText('Looks like a Comfy API key').waitFor();
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText('Comfy Cloud refused the key: Invalid or expired API key.').waitFor();
    expect(await page.locator('.nav-item', { hasText: 'Comfy Cloud' }).innerText()).toContain('Comfy Cloud refused the key');

    stack.cloud.accounts.set(CLOUD_KEY, { id: 'acct_42', email: 'ada@example.com', name: 'Ada Lovelace' });
    stack.cloud.balances.set(CLOUD_KEY, { amount_micros: 1234, currency: 'usd' });
    stack.cloud.script('/account', { status: 429, headers: { 'retry-after': '2' }, json: { error: { type: 'rate_limited', message: 'Too many requests' } } });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText(/Comfy Cloud is busy — trying again in \d s/).waitFor();
    await page.getByText('ada@example.com').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('cloud-credits').innerText()).toMatch(/12\.34/);
    expect(await page.getByTestId('cloud-checked-at').innerText()).toBe('Last updated just now');
    expect(await page.content()).not.toContain(CLOUD_KEY);
    await w().shoot('cloud-logged-in', () => page.getByText('ada@example.com').waitFor());
    await page.getByRole('button', { name: 'Add credits' }).click();
    await page.getByRole('button', { name: 'Manage account' }).click();
    await expect.poll(() => stack.opened.slice(1)).toEqual(['https://docs.comfy.org/interface/credits', 'https://platform.comfy.org/profile']);
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByTestId('cloud-checked-at').getByText('Last updated just now').waitFor();
  });

  it('Monitor: jobs by key and workflow name with the running node\'s name, per-key jobs and GPU time, plain result labels', async () => {
    const { page, stack } = w();
    const { secret } = await stack.keys.store.create({ name: 'render-bot', scopes: ['generate'] });
    const tight = (await stack.keys.store.create({ name: 'tight-quota', rate_limit: 1 })).secret;
    const url = stack.proxyUrl();
    const post = (key: string, body: object) =>
      fetch(`${url}/prompt`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?clientId=e2e-client`, { headers: { authorization: `Bearer ${secret}` } });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    await stack.comfy.waitForWsClient('e2e-client');

    const workflow = (title: string) => ({ extra_pnginfo: { workflow: { extra: { title } } } });
    expect((await post(secret, { prompt: PROMPT, client_id: 'e2e-client', prompt_id: 'landscape-1', extra_data: workflow('Landscape, golden hour') })).status).toBe(200);
    await stack.comfy.runFakeJob('landscape-1', 'e2e-client', 3);
    expect((await post(secret, { prompt: PROMPT, client_id: 'e2e-client', prompt_id: 'portrait-1', extra_data: workflow('Portrait, soft light') })).status).toBe(200);
    stack.comfy.state.take('portrait-1');
    await stack.comfy.sendJson({ type: 'execution_start', data: { prompt_id: 'portrait-1' } }, 'e2e-client');
    await stack.comfy.sendJson({ type: 'executing', data: { node: '3', prompt_id: 'portrait-1' } }, 'e2e-client');
    await stack.comfy.sendJson({ type: 'progress', data: { value: 7, max: 20, node: '3', prompt_id: 'portrait-1' } }, 'e2e-client');
    // Some refusals for the result labels: a wrong key, and a key over its hourly job limit.
    await fetch(`${url}/queue`, { headers: { authorization: 'Bearer comfy_wrong' } });
    expect((await post(tight, { prompt: PROMPT })).status).toBe(200);
    expect((await post(tight, { prompt: PROMPT })).status).toBe(429);

    await w().show('monitor');
    const running = page.locator('.job-running');
    await running.getByText('Portrait, soft light').waitFor();
    await running.getByText('KSampler (hi-res fix) · step 7 of 20').waitFor();
    expect(await running.innerText()).toContain('by render-bot');
    expect(await page.locator('.job', { hasText: 'Landscape, golden hour' }).innerText()).toContain('Done');
    const perKey = page.locator('table.per-key');
    await perKey.locator('tr', { hasText: 'render-bot' }).locator('td', { hasText: /^2$/ }).waitFor();
    expect(await perKey.locator('th').allInnerTexts()).toEqual(['Key', 'Requests', 'Refused', 'Over limit', 'Jobs (24 h)', 'GPU time']);
    expect(await perKey.locator('tr', { hasText: 'tight-quota' }).innerText()).toMatch(/\b1\b/);
    const tile = await page.getByLabel('Requests that did not succeed').innerText();
    expect(tile).toMatch(/Refused\s+\d+\s+Over limit\s+1\s+Server errors\s+0/);
    expect(await page.getByText('4xx · 429 · 5xx').count()).toBe(0);
    expect(await page.locator('.tile', { hasText: 'GPU memory used' }).innerText()).toMatch(/4\.0 GiB\s+of 24\.0 GiB/);
    await page.locator('.uplot').nth(1).waitFor();
    await w().shoot('monitor-live', () => page.locator('.uplot').nth(1).waitFor());
    ws.close();
  });

  it('Settings: messages name the field in words and Save stays off while anything is invalid', async () => {
    const { page } = w();
    await w().show('settings');
    const save = page.getByRole('button', { name: 'Save' });
    await page.getByLabel('Port').fill('70000');
    await page.getByText('The port must be between 1 and 65535.').waitFor();
    expect(await save.isDisabled()).toBe(true);
    await page.getByLabel('Extra allowed origins').fill('http://localhost:5173\nnot a url');
    await page.getByText('“not a url” is not an origin.', { exact: false }).waitFor();
    expect(await page.getByText(/listenPort|allowedOrigins/).count()).toBe(0);
    await w().shoot('settings-invalid');
    await page.getByRole('button', { name: 'Undo changes' }).click();
    expect(await save.isDisabled()).toBe(true);
  });

  it('Settings: shared input folders are checked as typed, saved, and the proxy lets every key read them', async () => {
    const { page, stack } = w();
    const folders = page.getByLabel('Shared input folders');
    await page.getByText('Each access key’s uploads are its own').waitFor();
    await folders.fill('team\n../outside');
    await page.getByText('“../outside” holds "." or ".."', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await w().shoot('settings-shared-folders');
    await folders.fill('team/');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => stack.settings.get().sharedInputFolders).toEqual(['team']);
    await expect.poll(() => folders.inputValue()).toBe('team');
    const { secret } = await stack.keys.store.create({ name: 'reader' });
    stack.comfy.files.put('input', 'team', 'logo.png', Buffer.from('logo'));
    stack.comfy.files.put('input', 'pasted', 'theirs.png', Buffer.from('theirs'));
    expect((await w().proxyFetch('/view?filename=logo.png&type=input&subfolder=team', secret)).status).toBe(200);
    expect((await w().proxyFetch('/view?filename=theirs.png&type=input&subfolder=pasted', secret)).status).toBe(404);
  });

  it('Settings: notifications are switched off one kind at a time, and the choice is saved', async () => {
    const { page, stack } = w();
    const box = page.getByTestId('notification-settings');
    await box.getByRole('switch', { name: 'Your jobs' }).uncheck();
    await expect.poll(() => stack.settings.get().notifications).toEqual({ jobs: false, upstream: true });
    await page.getByRole('switch', { name: 'Start at sign-in' }).check();
    await expect.poll(() => stack.settings.get().startAtLogin).toBe(true);
    await w().shoot('notification-settings');
    await box.getByRole('switch', { name: 'Your jobs' }).check();
    await expect.poll(() => stack.settings.get().notifications.jobs).toBe(true);
  });

  it('kept its CSP and raised no page errors', async () => {
    expect(await w().page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(w().pageErrors).toEqual([]);
  });
});
