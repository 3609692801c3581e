// @vitest-environment happy-dom
// Settings and ComfyUI connection: messages are sentences naming the field, Save / Check stay off while
// something is invalid, notifications and start-at-sign-in switch at once (and flip back if the save
// fails), and the connection check says what worked and that nothing was saved when it did not.
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SettingsView as Settings, UpstreamProbe } from '../../preload/contract';
import { useMonitorStore } from '../../renderer/src/stores/monitorStore';
import { useSettingsStore } from '../../renderer/src/stores/settingsStore';
import { useStatusStore } from '../../renderer/src/stores/statusStore';
import { ConnectionView } from '../../renderer/src/views/ConnectionView';
import { SettingsView } from '../../renderer/src/views/SettingsView';
import { installBridge } from '../helpers/fakeBridge';
import { appStatus, fail, health, ok } from '../helpers/rendererFixtures';

const settings: Settings = {
  upstreamUrl: 'http://127.0.0.1:8188',
  listenPort: 8189,
  allowedOrigins: [],
  theme: 'system',
  startAtLogin: false,
  notifications: { jobs: true, upstream: true },
};

beforeEach(() => {
  useSettingsStore.setState(useSettingsStore.getInitialState(), true);
  useStatusStore.setState(useStatusStore.getInitialState(), true);
  useMonitorStore.setState(useMonitorStore.getInitialState(), true);
});
afterEach(() => cleanup());

describe('Settings', () => {
  it('a bad port or origin is named in words, and Save stays off until both are right', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({ 'settings:get': () => ok(settings), 'settings:update': (req) => ok({ ...settings, ...(req as object) }) });
    render(<SettingsView />);
    const port = await screen.findByLabelText('Port');
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await user.clear(port);
    await user.type(port, '70000');
    expect(screen.getByText('The port must be between 1 and 65535.')).toBeTruthy();
    await user.type(screen.getByLabelText('Extra allowed origins'), 'http://localhost:5173{Enter}localhost:3000');
    expect(screen.getByText(/“localhost:3000” is not an origin\./)).toBeTruthy();
    expect(save.disabled).toBe(true);
    expect(screen.getByText('Fix the marked fields to save.')).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/listenPort|allowedOrigins/);
    await user.clear(port);
    await user.type(port, '9100');
    await user.clear(screen.getByLabelText('Extra allowed origins'));
    await user.type(screen.getByLabelText('Extra allowed origins'), 'http://localhost:5173');
    expect(save.disabled).toBe(false);
    await user.click(save);
    expect(calls.filter((c) => c.channel === 'settings:update').map((c) => c.req)).toEqual([{ listenPort: 9100, allowedOrigins: ['http://localhost:5173'] }]);
    expect(await screen.findByText('Saved.')).toBeTruthy();
  });

  it('shows main\'s message next to the field it names', async () => {
    const user = userEvent.setup();
    installBridge({
      'settings:get': () => ok(settings),
      'settings:update': () => fail('invalid_request', 'The port must be between 1 and 65535.', [{ path: 'listenPort', message: 'The port is reserved on this computer.' }]),
    });
    render(<SettingsView />);
    const port = await screen.findByLabelText('Port');
    await user.clear(port);
    await user.type(port, '9100{Enter}');
    expect(await screen.findByText('The port is reserved on this computer.')).toBeTruthy();
  });

  it('notifications and start at sign-in switch at once, one kind at a time; a failed save flips back', async () => {
    const user = userEvent.setup();
    let refuse = false;
    const { calls } = installBridge({
      'settings:get': () => ok(settings),
      'settings:update': (req) => (refuse ? fail('unavailable', 'The settings file is read-only.') : ok({ ...settings, ...(req as object), notifications: { ...settings.notifications, ...(req as { notifications?: object }).notifications } })),
    });
    render(<SettingsView />);
    const box = await screen.findByTestId('notification-settings');
    const jobs = within(box).getByRole('switch', { name: 'Your jobs' }) as HTMLInputElement;
    await user.click(jobs);
    expect(jobs.checked).toBe(false);
    await user.click(screen.getByRole('switch', { name: 'Start at sign-in' }));
    expect(calls.filter((c) => c.channel === 'settings:update').map((c) => c.req)).toEqual([{ notifications: { jobs: false } }, { startAtLogin: true }]);
    refuse = true;
    const upstream = within(box).getByRole('switch', { name: 'ComfyUI server' }) as HTMLInputElement;
    await user.click(upstream);
    expect(await screen.findByText('The settings file is read-only.')).toBeTruthy();
    expect(upstream.checked).toBe(true);
  });
});

describe('ComfyUI connection', () => {
  const probe: UpstreamProbe = { reachable: true, keyAccepted: null, comfyuiVersion: '0.3.66', device: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', latencyMs: 9, message: 'Connected to ComfyUI 0.3.66.', saved: true };

  it('one place for the address and key: checked as typed, then probed; a refused key saves nothing', async () => {
    const user = userEvent.setup();
    let answer = probe;
    const { calls } = installBridge({ 'upstream:login': () => ok(answer), 'status:get': () => ok(appStatus()) });
    useStatusStore.setState({ status: appStatus() });
    useMonitorStore.setState({ loaded: true, health: health() });
    render(<ConnectionView />);
    const address = screen.getByLabelText('Address') as HTMLInputElement;
    expect(address.value).toBe('http://127.0.0.1:8188');
    await user.clear(address);
    await user.type(address, 'gpu-box:8188');
    expect(screen.getByText('The address must start with http:// or https://.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Check and save' }) as HTMLButtonElement).disabled).toBe(true);
    await user.clear(address);
    await user.type(address, 'http://gpu-box:8188');
    await user.type(screen.getByLabelText('ComfyUI key'), 'upstream-secret');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    expect(await screen.findByText('ComfyUI answers')).toBeTruthy();
    expect(screen.getByText('No key needed')).toBeTruthy();
    expect(screen.getByText('NVIDIA GeForce RTX 4090')).toBeTruthy();
    expect(calls.find((c) => c.channel === 'upstream:login')?.req).toEqual({ url: 'http://gpu-box:8188', key: 'upstream-secret', remember: true });
    expect((screen.getByLabelText('ComfyUI key') as HTMLInputElement).value).toBe('');
    answer = { ...probe, keyAccepted: false, saved: false, message: 'ComfyUI refused the key (HTTP 401).' };
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    expect(await screen.findByText('Key refused')).toBeTruthy();
    expect(screen.getByText('ComfyUI refused the key (HTTP 401). Nothing was saved.')).toBeTruthy();
  });

  it('without a usable keychain the key can only be kept until quit, and the notice says how to fix it', () => {
    installBridge({});
    useStatusStore.setState({ status: appStatus({ secretBackend: { kind: 'memory', persistent: false, reason: 'no Secret Service' } }) });
    render(<ConnectionView />);
    const onDisk = screen.getByRole('radio', { name: /On this computer/ }) as HTMLInputElement;
    expect(onDisk.disabled).toBe(true);
    expect((screen.getByRole('radio', { name: 'Until the app quits' }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('secret-store-notice').textContent).toMatch(/install and unlock a password store/);
  });
});
