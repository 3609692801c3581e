// @vitest-environment happy-dom
// Settings: messages are sentences naming the field, Save stays off while something is invalid, host names
// for tunnels come with what they are for (and the Google/GitHub login caveat), notifications and
// start-at-sign-in switch at once (and flip back if the save fails).
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SettingsView as Settings } from '../../preload/contract';
import { routeEvent } from '../../renderer/src/events';
import { useMonitorStore } from '../../renderer/src/stores/monitorStore';
import { useSettingsStore } from '../../renderer/src/stores/settingsStore';
import { useStatusStore } from '../../renderer/src/stores/statusStore';
import { SettingsView } from '../../renderer/src/views/SettingsView';
import { installBridge } from '../helpers/fakeBridge';
import { fail, ok } from '../helpers/rendererFixtures';

const settings: Settings = {
  upstreams: ['http://127.0.0.1:8188'],
  listenPort: 8189,
  allowedOrigins: [],
  allowedHosts: [],
  sharedInputFolders: [],
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
    expect(calls.filter((c) => c.channel === 'settings:update').map((c) => c.req)).toEqual([{ listenPort: 9100, allowedHosts: [], allowedOrigins: ['http://localhost:5173'], sharedInputFolders: [] }]);
    expect(await screen.findByText('Saved.')).toBeTruthy();
  });

  it('host names for tunnels: what needs one and what does not, checked as typed, saved lowercase', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({ 'settings:get': () => ok(settings), 'settings:update': (req) => ok({ ...settings, ...(req as object) }) });
    render(<SettingsView />);
    const hosts = await screen.findByLabelText('Host names for tunnels');
    const hint = screen.getByTestId('tunnel-hint').textContent ?? '';
    expect(hint).toContain('An SSH tunnel (ssh -L 9000:127.0.0.1:8189 …) needs nothing');
    expect(hint).toContain('Tailscale serve');
    expect(hint).toMatch(/Google or GitHub does not work.*Comfy API key does/);
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    await user.type(hosts, 'https://gpu-box.tailnet.ts.net');
    expect(screen.getByText('“https://gpu-box.tailnet.ts.net” must be a host name such as gpu-box.tailnet.ts.net, without http:// or a path.')).toBeTruthy();
    expect(save.disabled).toBe(true);
    await user.clear(hosts);
    await user.type(hosts, 'localhost:9000');
    expect(screen.getByText('“localhost:9000” is this computer, which is always allowed (with any port); remove this line.')).toBeTruthy();
    await user.clear(hosts);
    await user.type(hosts, 'GPU-Box.tailnet.ts.net{Enter}gpu-box:9000{Enter}gpu-box:9000');
    expect(screen.getByText('“gpu-box:9000” is listed twice.')).toBeTruthy();
    await user.type(hosts, '{Backspace}1');
    expect(save.disabled).toBe(false);
    await user.click(save);
    expect(calls.filter((c) => c.channel === 'settings:update').map((c) => c.req)).toEqual([
      { listenPort: 8189, allowedHosts: ['gpu-box.tailnet.ts.net', 'gpu-box:9000', 'gpu-box:9001'], allowedOrigins: [], sharedInputFolders: [] },
    ]);
    expect(await screen.findByText('Saved.')).toBeTruthy();
  });

  it('shared input folders: what is private, checked as typed, saved as main stores them', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({ 'settings:get': () => ok(settings), 'settings:update': (req) => ok({ ...settings, ...(req as object) }) });
    render(<SettingsView />);
    const folders = await screen.findByLabelText('Shared input folders');
    expect(document.body.textContent).toMatch(/uploads are its own \(in private-<key id>\/\)/);
    const save = screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement;
    await user.type(folders, '../secrets');
    expect(screen.getByText('“../secrets” holds "." or ".."; name a folder inside ComfyUI\'s input folder.')).toBeTruthy();
    expect(save.disabled).toBe(true);
    await user.clear(folders);
    await user.type(folders, 'private-AAAAAAAAAAAAAAAAAAAAAA');
    expect(screen.getByText(/is an access key's private upload folder/)).toBeTruthy();
    await user.clear(folders);
    await user.type(folders, 'team/{Enter}/refs//faces{Enter}team');
    expect(screen.getByText('“team” is listed twice.')).toBeTruthy();
    await user.type(folders, '{Backspace}{Backspace}{Backspace}{Backspace}');
    expect(save.disabled).toBe(false);
    await user.click(save);
    expect(calls.filter((c) => c.channel === 'settings:update').map((c) => c.req)).toEqual([
      { listenPort: 8189, allowedHosts: [], allowedOrigins: [], sharedInputFolders: ['team', 'refs/faces'] },
    ]);
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

  it('a read answered after a pushed change does not undo it (the theme set elsewhere stays)', async () => {
    let answer: (r: ReturnType<typeof ok>) => void = () => undefined;
    installBridge({ 'settings:get': () => new Promise((r) => (answer = r)) });
    const loading = useSettingsStore.getState().load();
    routeEvent({ type: 'settings:changed', settings: { ...settings, theme: 'dark' } });
    answer(ok(settings));
    await loading;
    expect(useSettingsStore.getState().settings?.theme).toBe('dark');
    // With no push in between, a read is taken as it is.
    installBridge({ 'settings:get': () => ok({ ...settings, theme: 'light' }) });
    await useSettingsStore.getState().load();
    expect(useSettingsStore.getState().settings?.theme).toBe('light');
  });
});
