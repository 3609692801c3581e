// Several ComfyUI servers in the window (SPEC §5, §10), in Chromium over the real services: a second server
// added under "More ComfyUI servers" restarts the proxy in front of both; the Monitor lists each server (up,
// queue, GPU, whether its nodes match); one going down, and one with other nodes, show there and in the tray.
// Screenshots: connection-more-servers, monitor-upstreams, monitor-upstream-down, monitor-upstream-differs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrayMenu, renderMenuAsText, trayIconKind } from '../../main/app/trayMenu';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { canRunWindowTests, openWindowPage, type WindowPage } from './bridge/windowPage';

describe.skipIf(!canRunWindowTests)('several ComfyUI servers (Chromium, real services)', () => {
  let w: WindowPage;
  let second: FakeComfy;
  beforeAll(async () => {
    w = await openWindowPage();
    second = await startFakeComfy({ deviceName: 'cuda:0 NVIDIA GeForce RTX 3090 : cudaMallocAsync' });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
    await second?.close();
  });

  it('adds a second server under ComfyUI connection, checking each line', async () => {
    const { page, stack } = w;
    await w.show('connection');
    const box = page.getByLabel('Other servers');
    await box.fill('gpu-box-2:8188');
    await page.getByText('Line 1: The address must').waitFor();
    expect(await page.getByRole('button', { name: 'Save servers' }).isDisabled()).toBe(true);
    await box.fill(second.url);
    await w.shoot('connection-more-servers', () => page.getByText('Unsaved changes').waitFor());
    await page.getByRole('button', { name: 'Save servers' }).click();
    await page.getByText('Saved. The proxy restarted with these servers.').waitFor();
    expect(stack.settings.get().additionalUpstreams).toEqual([second.url]);
    await expect.poll(() => second.received.some((r) => r.url === '/prompt' && r.method === 'GET'), { timeout: 10_000 }).toBe(true);
  });

  it('lists both servers in the Monitor, and the tray has a line for each', async () => {
    const { page, stack } = w;
    await w.show('monitor');
    const rows = page.getByTestId('upstream-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    await page.getByText('ComfyUI servers · 2 of 2 up').waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await rows.nth(1).innerText()).includes('RTX 3090'), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await rows.allInnerTexts()).every((t) => t.includes('Same as the others')), { timeout: 10_000 }).toBe(true);
    await w.shoot('monitor-upstreams');
    const menu = renderMenuAsText(buildTrayMenu(stack.trayState()));
    expect(menu).toContain(`ComfyUI 1: ${stack.comfy.url} — up`);
    expect(menu).toContain(`ComfyUI 2: ${second.url} — up`);
  });

  it('shows a server that stops answering as down, within the monitor and the tray icon', async () => {
    const { page, stack } = w;
    await second.stop();
    await page.getByText('ComfyUI servers · 1 of 2 up').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('upstream-row').nth(1).innerText()).toContain('Down');
    await w.shoot('monitor-upstream-down');
    const state = stack.trayState();
    expect(trayIconKind(state)).toBe('upstream-down');
    expect(renderMenuAsText(buildTrayMenu(state))).toContain(`ComfyUI 2: ${second.url} — down`);
  });

  it('flags a server whose nodes and models differ: no new jobs go there', async () => {
    const { page } = w;
    second.setObjectInfo('b');
    await second.restart();
    await page.getByTestId('upstreams-mismatch').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('upstreams-mismatch').innerText()).toContain('has extra FakeUpscaleNode');
    expect(await page.getByTestId('upstreams-mismatch').innerText()).toContain('gets no new jobs');
    expect(await page.getByTestId('upstream-row').nth(1).innerText()).toContain('Differs — no new jobs');
    await w.shoot('monitor-upstream-differs');
    expect(w.pageErrors).toEqual([]);
  });
});
