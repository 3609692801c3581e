// Several ComfyUI servers and tunnel host names in the window (SPEC §2.1, §5, §8.0, §10), in Chromium over the
// real services and two fake ComfyUIs: a second server added under ComfyUI connection restarts the proxy in
// front of both; each server has its own state there, on Home, in the Monitor and in the tray; one going down
// or having other nodes shows; make primary and remove change the list; a host name allowed in Settings lets a
// tunnel's Host in while others stay refused. Screenshots: connection-two-upstreams, home-two-upstreams,
// connection-upstream-down, monitor-upstreams, monitor-upstream-down, monitor-upstream-differs, settings-allowed-hosts.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrayMenu, renderMenuAsText, trayIconKind } from '../../main/api/trayMenu';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { canRunWindowTests, useWindowPage } from './bridge/windowPage';

/** GET /health through the proxy with a Host header of our choosing (fetch may not set Host). */
function healthWithHost(proxyUrl: string, host: string): Promise<number> {
  const u = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: Number(u.port), path: '/health', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

describe.skipIf(!canRunWindowTests)('several ComfyUI servers and tunnel host names (Chromium, real services)', () => {
  const w = useWindowPage();
  let second: FakeComfy;
  beforeAll(async () => {
    second = await startFakeComfy({ deviceName: 'cuda:0 NVIDIA GeForce RTX 3090 : cudaMallocAsync' });
  }, 60_000);
  afterAll(async () => {
    await second?.close();
  });

  const rows = () => w().page.getByTestId('server-row');

  it('adds a second server under ComfyUI connection: checked first, then the proxy runs in front of both', async () => {
    const { page, stack } = w();
    await w().show('connection');
    await rows().first().getByText('Answering').waitFor();
    await page.getByLabel('Add a ComfyUI server').fill(`${stack.comfy.url}/`);
    await page.getByText(`${stack.comfy.url} is already in the list.`).waitFor();
    await page.getByLabel('Add a ComfyUI server').fill(second.url);
    await page.getByRole('button', { name: 'Check and add' }).click();
    await page.getByTestId('server-answer').getByText('ComfyUI answers').waitFor();
    await page.getByText('ComfyUI servers · 2 of 2 answering').waitFor({ timeout: 10_000 });
    expect(stack.settings.get().upstreams).toEqual([stack.comfy.url, second.url]);
    await expect.poll(() => second.received.some((r) => r.url === '/prompt' && r.method === 'GET'), { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await rows().nth(1).innerText()).includes('RTX 3090'), { timeout: 10_000 }).toBe(true);
    expect(await rows().first().innerText()).toContain('Primary');
    await w().shoot('connection-two-upstreams', () => page.getByText('ComfyUI servers · 2 of 2 answering').waitFor());
  });

  it('Home says "2 ComfyUI servers" with each one at a glance', async () => {
    const { page } = w();
    await w().show('home');
    await page.getByText('2 ComfyUI servers').waitFor();
    await page.getByTestId('home-upstream-state').getByText('2 of 2 answering').waitFor({ timeout: 10_000 });
    await w().shoot('home-two-upstreams', () => page.getByTestId('home-upstream-state').getByText('2 of 2 answering').waitFor());
  });

  it('the Monitor lists both (state, queue, latency, GPU, node match), and the tray has a line for each', async () => {
    const { page, stack } = w();
    await w().show('monitor');
    const table = page.getByTestId('upstream-row');
    await expect.poll(() => table.count(), { timeout: 10_000 }).toBe(2);
    await page.getByText('ComfyUI servers · 2 of 2 up').waitFor({ timeout: 10_000 });
    await expect.poll(async () => (await table.allInnerTexts()).every((t) => t.includes('Same as the others')), { timeout: 10_000 }).toBe(true);
    expect(await table.first().innerText()).toContain('Primary');
    await page.getByText('GPU · primary').waitFor();
    await w().shoot('monitor-upstreams');
    const menu = renderMenuAsText(buildTrayMenu(stack.trayState()));
    expect(menu).toContain(`ComfyUI 1: ${stack.comfy.url} — up`);
    expect(menu).toContain(`ComfyUI 2: ${second.url} — up`);
  });

  it('a server that stops answering is down in the Monitor, in ComfyUI connection with its reason, and in the tray', async () => {
    const { page, stack } = w();
    await second.stop();
    await page.getByText('ComfyUI servers · 1 of 2 up').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('upstream-row').nth(1).innerText()).toContain('Down');
    await w().shoot('monitor-upstream-down');
    const state = stack.trayState();
    expect(trayIconKind(state)).toBe('upstream-down');
    expect(renderMenuAsText(buildTrayMenu(state))).toContain(`ComfyUI 2: ${second.url} — down`);
    expect(await page.locator('.nav-item', { hasText: 'ComfyUI connection' }).innerText()).toContain('1 ComfyUI server is down');
    await w().show('connection');
    await page.getByText('ComfyUI servers · 1 of 2 answering').waitFor();
    expect(await rows().nth(1).innerText()).toContain('Nothing accepts connections at that address.');
    await w().shoot('connection-upstream-down', () => page.getByText('ComfyUI servers · 1 of 2 answering').waitFor());
  });

  it('a server whose nodes and models differ is flagged: no new jobs go there', async () => {
    const { page } = w();
    second.setObjectInfo('b');
    await second.restart();
    await w().show('monitor');
    await page.getByTestId('upstreams-mismatch').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('upstreams-mismatch').innerText()).toContain('has extra FakeUpscaleNode');
    expect(await page.getByTestId('upstream-row').nth(1).innerText()).toContain('Differs — no new jobs');
    await w().shoot('monitor-upstream-differs');
    await w().show('connection');
    await rows().nth(1).getByText('so it gets no new jobs').waitFor();
  });

  it('make primary reorders the list; remove (asked once) leaves one server', async () => {
    const { page, stack } = w();
    await page.getByRole('button', { name: `Make ${second.url} the primary server` }).click();
    await expect.poll(() => stack.settings.get().upstreams).toEqual([second.url, stack.comfy.url]);
    await rows().first().getByText(second.url, { exact: true }).waitFor();
    await page.getByRole('button', { name: `Remove ${second.url}` }).click();
    await page.getByRole('group', { name: `Remove ${second.url}?` }).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('ComfyUI server', { exact: true }).waitFor();
    expect(stack.settings.get().upstreams).toEqual([stack.comfy.url]);
    await rows().first().getByText('Answering').waitFor({ timeout: 10_000 });
  });

  it('Settings: a tunnel host name, explained, lets that Host in; other names stay refused', async () => {
    const { page, stack } = w();
    const url = stack.proxyUrl();
    expect(await healthWithHost(url, 'gpu-box.tailnet.ts.net')).toBe(403);
    expect(await healthWithHost(url, 'localhost:9000')).toBe(200); // an SSH tunnel's own port needs nothing
    await w().show('settings');
    const field = page.getByLabel('Host names for tunnels');
    await field.fill('https://gpu-box.tailnet.ts.net');
    await page.getByText('must be a host name such as gpu-box.tailnet.ts.net, without http:// or a path.').waitFor();
    await field.fill('GPU-box.tailnet.ts.net\ngpu-box:9443');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(stack.settings.get().allowedHosts).toEqual(['gpu-box.tailnet.ts.net', 'gpu-box:9443']);
    expect(await healthWithHost(url, 'gpu-box.tailnet.ts.net')).toBe(200);
    expect(await healthWithHost(url, 'gpu-box:9443')).toBe(200);
    expect(await healthWithHost(url, 'gpu-box:9444')).toBe(403);
    expect(await healthWithHost(url, 'evil.example')).toBe(403);
    await w().shoot('settings-allowed-hosts', () => page.getByTestId('tunnel-hint').waitFor());
    expect(await w().page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
    expect(w().pageErrors).toEqual([]);
  });
});
