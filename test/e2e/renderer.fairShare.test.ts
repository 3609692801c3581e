// A fair share of the GPU in the window (issue 20), over the real services: the key form's "Share of the GPU"
// (checked as you type, saved with the key), and the Monitor's waiting jobs in the order ComfyUI will run them,
// with each job's key, share and expected start. Screenshots: keys-form-share, monitor-waiting.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { canRunWindowTests, useWindowPage } from './bridge/windowPage';

const PROMPT = (seed: number) => ({
  '3': { class_type: 'KSampler', inputs: { seed, steps: 20 }, _meta: { title: 'KSampler' } },
  '9': { class_type: 'SaveImage', inputs: { images: ['3', 0] } },
});
const titled = (title: string) => ({ extra_pnginfo: { workflow: { extra: { title } } } });

describe.skipIf(!canRunWindowTests)('a fair share of the GPU in the window (Chromium, real services)', () => {
  const w = useWindowPage();

  it('the key form takes a share of the GPU, checked as you type, and saves it with the key', async () => {
    const { page, stack } = w();
    await w().show('keys');
    await page.getByRole('button', { name: /access key/ }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('studio');
    const share = page.getByLabel('Share of the GPU');
    expect(await share.inputValue()).toBe('1');
    await share.fill('0');
    await page.getByText('The GPU share must be at least 0.1.').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    await share.fill('2');
    await page.getByText('When keys wait together, 2 gets about twice the GPU time of 1.').waitFor();
    await w().shoot('keys-form-share');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('I have copied this key').check();
    await page.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => stack.keys.store.list().find((k) => k.name === 'studio')?.share).toBe(2);
  });

  it('the Monitor lists every waiting job in run order with its key, share and expected start', async () => {
    const { page, stack } = w();
    const batch = (await stack.keys.store.create({ name: 'nightly-batch' })).secret;
    const studioId = stack.keys.store.list().find((k) => k.name === 'studio')!.key_id;
    const studio = (await stack.keys.store.rotate(studioId)).secret;
    const url = stack.proxyUrl();
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws?clientId=batch-tab`, { headers: { authorization: `Bearer ${batch}` } });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    await stack.comfy.waitForWsClient('batch-tab');
    const post = async (key: string, title: string, seed: number, clientId?: string) => {
      const res = await w().proxyFetch('/prompt', key, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: PROMPT(seed), extra_data: titled(title), ...(clientId ? { client_id: clientId } : {}) }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { prompt_id: string }).prompt_id;
    };
    const first = await post(batch, 'Nightly render 1', 1, 'batch-tab');
    for (let i = 2; i <= 5; i++) await post(batch, `Nightly render ${i}`, i, 'batch-tab');
    // The first of the batch runs (for a long while); then the studio queues three portraits.
    const running = stack.comfy.runFakeJob(first, 'batch-tab', 20, { ms: 120_000 });
    await expect.poll(() => stack.monitor.jobs().some((j) => j.promptId === first && j.status === 'running')).toBe(true);
    for (let i = 1; i <= 3; i++) await post(studio, `Studio portrait ${i}`, 100 + i);

    await w().show('monitor');
    const table = page.getByRole('table', { name: 'Waiting jobs' });
    await table.waitFor();
    await page.getByText('Waiting · 7 jobs').waitFor();
    const cells = async (col: number) => table.locator(`tbody tr td:nth-child(${col})`).allInnerTexts();
    // Polled: the window learns of the last job by a push that may still be on its way.
    await expect.poll(() => cells(2)).toEqual(['Studio portrait 1', 'Studio portrait 2', 'Nightly render 2', 'Studio portrait 3', 'Nightly render 3', 'Nightly render 4', 'Nightly render 5']);
    expect(await cells(3)).toEqual(['studio', 'studio', 'nightly-batch', 'studio', 'nightly-batch', 'nightly-batch', 'nightly-batch']);
    expect(await cells(4)).toEqual(['2', '2', '1', '2', '1', '1', '1']);
    const starts = await cells(5);
    expect(starts[0]).toMatch(/^(next|in \d+ s)/);
    expect(starts[6]).toMatch(/^in 1 min \d+ s/);
    // The queue tile counts what ComfyUI says (fair order holds nothing back): 1 running, 7 waiting.
    await page.locator('.tile', { hasText: 'running · waiting' }).getByText('1 · 7').waitFor();
    await w().shoot('monitor-waiting', () => page.getByText('Start times are estimates').scrollIntoViewIfNeeded());

    stack.comfy.interrupt(first);
    await running;
    ws.close();
  });

  it('kept its CSP and raised no page errors', async () => {
    expect(await w().page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(w().pageErrors).toEqual([]);
  });
});
