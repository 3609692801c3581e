// @vitest-environment happy-dom
// Home in each state a user meets: first run (checklist), running (Open ComfyUI, Copy URL, curl),
// port in use (reason, another port, retry), paused, ComfyUI down, ComfyUI open to its network, secrets
// that will be forgotten, a settings reset, and the tray's log-out and quit actions.
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppStatus, HealthSample } from '../../preload/contract';
import { useCloudStore } from '../../renderer/src/stores/cloudStore';
import { useMonitorStore } from '../../renderer/src/stores/monitorStore';
import { useSettingsStore } from '../../renderer/src/stores/settingsStore';
import { useStatusStore } from '../../renderer/src/stores/statusStore';
import { useUiStore } from '../../renderer/src/stores/uiStore';
import { HomeView } from '../../renderer/src/views/HomeView';
import { installBridge, type FakeHandler } from '../helpers/fakeBridge';
import { appStatus, health, ok } from '../helpers/rendererFixtures';

function show(status: AppStatus, h: HealthSample | null = health(), handlers: Parameters<typeof installBridge>[0] = {}) {
  const fake = installBridge({ 'status:get': () => ok(status), ...handlers });
  useStatusStore.setState({ status });
  useMonitorStore.setState({ loaded: true, health: h });
  useCloudStore.setState({ status: status.cloud });
  render(<HomeView />);
  return fake;
}

beforeEach(() => {
  useStatusStore.setState(useStatusStore.getInitialState(), true);
  useMonitorStore.setState(useMonitorStore.getInitialState(), true);
  useCloudStore.setState(useCloudStore.getInitialState(), true);
  useSettingsStore.setState(useSettingsStore.getInitialState(), true);
  useUiStore.setState(useUiStore.getInitialState(), true);
});
afterEach(() => cleanup());

const channels = (calls: { channel: string; req: unknown }[], name: string) => calls.filter((c) => c.channel === name).map((c) => c.req);

describe('Home', () => {
  it('first run: the checklist shows what is done and leads to the next step', async () => {
    const user = userEvent.setup();
    const { calls } = show(appStatus(), health(), { 'shell:openExternal': () => ok(null), 'setup:dismiss': () => ok(appStatus({ setup: { upstreamConnected: true, keyCreated: false, comfyOpened: false, dismissed: true } })) });
    const list = screen.getByTestId('setup-checklist');
    expect(within(list).getByText('1 of 3 done')).toBeTruthy();
    expect(list.querySelector('.step-done')?.textContent).toContain('ComfyUI answers at http://127.0.0.1:8188.');
    expect(within(list).getByRole('button', { name: 'Create a key' }).className).toContain('button-primary');
    await user.click(within(list).getByRole('button', { name: 'Create a key' }));
    expect(useUiStore.getState()).toMatchObject({ view: 'keys', intent: 'create-key' });
    await user.click(within(list).getByRole('button', { name: 'Open ComfyUI' }));
    expect(channels(calls, 'shell:openExternal')).toEqual([{ target: 'proxy-ui' }]);
    await user.click(within(list).getByRole('button', { name: 'Hide' }));
    expect(await screen.findByText('ComfyUI is available at')).toBeTruthy();
    expect(screen.queryByTestId('setup-checklist')).toBeNull();
  });

  it('running: the address, Open ComfyUI, Copy URL, and a curl example with a key placeholder', async () => {
    const user = userEvent.setup();
    const { calls } = show(appStatus({ setup: { upstreamConnected: true, keyCreated: true, comfyOpened: true, dismissed: true } }), health(), { 'shell:openExternal': () => ok(null) });
    expect(screen.queryByTestId('setup-checklist')).toBeNull();
    expect(screen.getByTestId('proxy-hero').textContent).toContain('ComfyUI is available at http://127.0.0.1:8189');
    expect(screen.getByTestId('curl-example').textContent).toBe('curl -H "Authorization: Bearer <your-access-key>" http://127.0.0.1:8189/system_stats');
    expect(screen.getByRole('button', { name: 'Copy the proxy URL' })).toBeTruthy();
    expect(screen.getByText('ssh -L 8189:127.0.0.1:8189 <this-computer>')).toBeTruthy();
    await user.click(within(screen.getByTestId('proxy-hero')).getByRole('button', { name: 'Open ComfyUI' }));
    expect(channels(calls, 'shell:openExternal')).toEqual([{ target: 'proxy-ui' }]);
    expect(screen.getByTestId('home-upstream-state').textContent).toContain('Answering');
    expect(screen.getByText('NVIDIA GeForce RTX 4090 · 24.0 GiB')).toBeTruthy();
  });

  it('port in use: the reason, another port (checked as typed) or a retry of the same one', async () => {
    const user = userEvent.setup();
    const message = 'Port 8189 is already used by another program, so the proxy cannot listen on it. Choose another port, or quit that program and retry.';
    const status = appStatus({ proxy: { state: 'error', url: null, port: 8189, error: { code: 'port_in_use', message }, version: '1' } });
    const { calls } = show(status, health(), {
      'settings:update': (req) => ok({ upstreamUrl: 'x', listenPort: (req as { listenPort: number }).listenPort, allowedOrigins: [], theme: 'system', startAtLogin: false, notifications: { jobs: true, upstream: true } }),
      'proxy:resume': () => ok(status.proxy),
    });
    const hero = screen.getByTestId('proxy-hero');
    expect(within(hero).getByText('Port 8189 is already in use')).toBeTruthy();
    expect(within(hero).getByText(message)).toBeTruthy();
    const port = within(hero).getByLabelText('Use another port') as HTMLInputElement;
    expect(port.value).toBe('8190');
    await user.clear(port);
    await user.type(port, '99999');
    expect(within(hero).getByText('A port is a whole number from 1 to 65535.')).toBeTruthy();
    expect((within(hero).getByRole('button', { name: /^Use port/ }) as HTMLButtonElement).disabled).toBe(true);
    await user.clear(port);
    await user.type(port, '9001');
    await user.click(within(hero).getByRole('button', { name: 'Use port 9001' }));
    expect(channels(calls, 'settings:update')).toEqual([{ listenPort: 9001 }]);
    await user.click(within(hero).getByRole('button', { name: 'Retry port 8189' }));
    expect(calls.some((c) => c.channel === 'proxy:resume')).toBe(true);
  });

  it('paused: says nothing gets through and offers Resume', async () => {
    const user = userEvent.setup();
    const status = appStatus({ proxy: { state: 'paused', url: null, port: 8189, error: null, version: '1' } });
    const { calls } = show(status, health(), { 'proxy:resume': () => ok({ ...status.proxy, state: 'running', url: 'http://127.0.0.1:8189' }) });
    expect(screen.getByText('The proxy is paused')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Resume proxy' }));
    expect(await screen.findByText('ComfyUI is available at')).toBeTruthy();
    expect(calls.map((c) => c.channel)).toContain('proxy:resume');
  });

  it('ComfyUI down: the proxy still runs, and the ComfyUI card says why in words', () => {
    show(appStatus(), health({ up: false, latencyMs: null, error: 'timed out' }));
    expect(screen.getByTestId('proxy-hero').textContent).toContain('Running · ComfyUI is not answering');
    expect(screen.getByText('ComfyUI did not answer in time. It may be busy loading a model, or the address is wrong.')).toBeTruthy();
    expect(screen.getByTestId('home-upstream-state').textContent).toContain('Not answering');
  });

  it('right after the address changes, the last sample of the old one is not shown as the new one\'s state', () => {
    show(appStatus({ upstream: { ...appStatus().upstream, url: 'http://gpu-box:8188' } }), health({ url: 'http://127.0.0.1:8188' }));
    expect(screen.getByTestId('home-upstream-state').textContent).toContain('Checking…');
  });

  it('ComfyUI on another machine without a key: anyone on its network can use it, and how to close it', () => {
    const lan = appStatus({ upstream: { ...appStatus().upstream, url: 'http://192.168.1.20:8188', loopback: false } });
    show(lan);
    const notice = screen.getByTestId('exposure-notice');
    expect(notice.textContent).toContain('Anyone on the network can use ComfyUI at 192.168.1.20:8188 without a key');
    expect(notice.textContent).toContain('--listen 127.0.0.1');
    cleanup();
    show(appStatus({ upstream: { ...lan.upstream, keyHint: 'abc…wxyz' } }));
    expect(screen.queryByTestId('exposure-notice')).toBeNull();
  });

  it('secrets kept only until quit: plain words and the fix, the jargon under Details, shown when something would be lost', async () => {
    const user = userEvent.setup();
    const memory = { kind: 'memory' as const, persistent: false, reason: 'OS keychain unavailable: no Secret Service; Electron safeStorage would only use a hard-coded key (basic_text)' };
    show(appStatus({ secretBackend: memory }));
    expect(screen.queryByTestId('secret-store-notice')).toBeNull();
    cleanup();
    show(appStatus({ secretBackend: memory, upstream: { ...appStatus().upstream, keyHint: 'abc…wxyz' } }));
    const notice = screen.getByTestId('secret-store-notice');
    expect(notice.textContent).toContain('Keys you enter are forgotten when the app quits');
    expect(notice.textContent).not.toContain('basic_text');
    await user.click(within(notice).getByRole('button', { name: 'Details' }));
    expect(notice.textContent).toContain('basic_text');
  });

  it('a settings reset is shown once, with its backup, until dismissed', async () => {
    const user = userEvent.setup();
    const notice = { id: 'settings-reset-1-0', kind: 'settings-reset' as const, message: 'The settings file was not valid JSON; it was backed up to /x/settings.json.corrupt-1 and default settings were restored.', at: 1 };
    const { calls } = show(appStatus({ notices: [notice] }), health(), { 'notice:dismiss': () => ok(appStatus()) });
    const shown = screen.getByTestId('settings-reset-notice');
    expect(shown.textContent).toContain('Your settings were reset');
    expect(shown.textContent).toContain('settings.json.corrupt-1');
    await user.click(within(shown).getByRole('button', { name: 'Dismiss' }));
    expect(channels(calls, 'notice:dismiss')).toEqual([{ id: 'settings-reset-1-0' }]);
    expect(screen.queryByTestId('settings-reset-notice')).toBeNull();
  });

  it('log out (browsers, Comfy Cloud, everything after a confirmation) and quit, as in the tray', async () => {
    const user = userEvent.setup();
    const everything: FakeHandler = () => ok(appStatus());
    const { calls } = show(appStatus({ sessions: 2 }), health(), {
      'session:logoutBrowsers': () => ok({ revoked: 2 }),
      'session:logoutEverything': everything,
      'app:quit': () => ok(null),
    });
    expect(screen.getByText('2 browsers are logged in through the proxy.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Log out of Comfy Cloud' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Log out browsers (2)' }));
    expect(await screen.findByText('2 browsers were logged out.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Log out everything…' }));
    expect(calls.some((c) => c.channel === 'session:logoutEverything')).toBe(false);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Log out everything' }));
    expect(await screen.findByText(/Logged out of everything/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Quit app' }));
    expect(calls.map((c) => c.channel)).toContain('app:quit');
  });
});
