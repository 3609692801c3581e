// @vitest-environment happy-dom
// The Cloud view: the key's format is checked as you type, environments only under Advanced, errors
// worded by kind (refused key with the server's message, offline), a 429 shows a live retry countdown,
// and a login shows the account, credits with "last updated", and the add-credits / manage links.
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installBridge } from '../helpers/fakeBridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudStatus, IpcResult } from '../../preload/contract';
import { startEventRouting } from '../../renderer/src/events';
import { useCloudStore } from '../../renderer/src/stores/cloudStore';
import { CloudView } from '../../renderer/src/views/CloudView';

const ok = <T,>(value: T): IpcResult<T> => ({ ok: true, value });
const KEY = 'comfyui-' + 'k'.repeat(32);
const loggedOut: CloudStatus = { loggedIn: false, environment: 'production', baseUrl: 'https://cloud.comfy.org/developer/api/v1', keyHint: null, account: null, credits: null, checkedAt: null };
const loggedIn: CloudStatus = {
  loggedIn: true,
  environment: 'staging',
  baseUrl: 'https://stagingcloud.comfy.org/developer/api/v1',
  keyHint: 'comfyui-kk…kkkk',
  account: { id: 'acct_1', name: 'Ada', email: 'ada@example.com', plan: 'pro' },
  credits: { amount: 250, currency: 'usd' },
  checkedAt: Date.now() - 5 * 60_000,
};

let stopRouting: (() => void) | null = null;
beforeEach(() => {
  useCloudStore.setState(useCloudStore.getInitialState(), true);
});
afterEach(() => {
  stopRouting?.();
  cleanup();
});

describe('Cloud view', () => {
  it('checks the key format as you type and only enables Connect for a plausible key; no Staging unless Advanced', async () => {
    const user = userEvent.setup();
    installBridge({ 'cloud:status': () => ok(loggedOut) });
    render(<CloudView />);
    const input = await screen.findByLabelText('Comfy API key');
    const login = screen.getByRole('button', { name: 'Connect' }) as HTMLButtonElement;
    expect(screen.queryByRole('radio', { name: 'Staging' })).toBeNull();
    expect(screen.queryByText('Status')).toBeNull();
    await user.type(input, 'sk-abc');
    expect(screen.getByText('A Comfy API key starts with "comfyui-"')).toBeTruthy();
    expect(login.disabled).toBe(true);
    await user.clear(input);
    await user.type(input, 'comfyui-short');
    expect(screen.getByText(/too short/)).toBeTruthy();
    await user.clear(input);
    await user.type(input, KEY);
    expect(screen.getByText(/Looks like a Comfy API key/)).toBeTruthy();
    expect(login.disabled).toBe(false);
  });

  it('a refused key shows the server message; offline is said plainly', async () => {
    const user = userEvent.setup();
    let answer: IpcResult<unknown> = { ok: false, error: { code: 'unauthorized', message: 'Invalid or expired API key' } };
    installBridge({ 'cloud:status': () => ok(loggedOut), 'cloud:login': () => answer });
    render(<CloudView />);
    await user.type(await screen.findByLabelText('Comfy API key'), `${KEY}{Enter}`);
    expect(await screen.findByText(/Comfy Cloud refused the key: Invalid or expired API key\. Check that it was copied completely/)).toBeTruthy();
    answer = { ok: false, error: { code: 'offline', message: 'fetch failed' } };
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText('Comfy Cloud could not be reached. Check the internet connection and try again.')).toBeTruthy();
  });

  it('counts down a rate-limit retry pushed by main, then shows the account after login', async () => {
    const user = userEvent.setup();
    let finish: (r: IpcResult<unknown>) => void = () => undefined;
    const { calls, emit } = installBridge({
      'cloud:status': () => ok(loggedOut),
      'cloud:login': () => new Promise((r) => (finish = r)),
    });
    stopRouting = startEventRouting();
    render(<CloudView />);
    await user.click(await screen.findByRole('button', { name: 'Advanced' }));
    await user.click(screen.getByRole('radio', { name: 'Staging' }));
    await user.type(screen.getByLabelText('Comfy API key'), `${KEY}{Enter}`);
    expect(await screen.findByText('Checking the key with Comfy Cloud…')).toBeTruthy();
    act(() => emit({ type: 'cloud:retry', attempt: 1, delayMs: 3000 }));
    expect(screen.getByText(/Comfy Cloud is busy — trying again in 3 s \(attempt 2\)/)).toBeTruthy();
    await act(async () => finish(ok(loggedIn)));
    expect(await screen.findByText('ada@example.com')).toBeTruthy();
    expect(screen.getByText('comfyui-kk…kkkk')).toBeTruthy();
    expect(screen.getByText('$2.50')).toBeTruthy();
    expect(screen.getByTestId('cloud-checked-at').textContent).toBe('Last updated 5 minutes ago');
    // Staging is named because it is not the default.
    expect(screen.getByText('Staging')).toBeTruthy();
    expect(document.body.innerHTML).not.toContain(KEY);
    expect(calls.find((c) => c.channel === 'cloud:login')?.req).toEqual({ key: KEY, environment: 'staging' });
  });

  it('"Get a key", "Add credits" and "Manage account" ask main to open allow-listed pages by id', async () => {
    const user = userEvent.setup();
    let status = loggedOut;
    const { calls } = installBridge({ 'cloud:status': () => ok(status), 'shell:openExternal': () => ok(null) });
    render(<CloudView />);
    await user.click(await screen.findByRole('button', { name: 'Get a key' }));
    cleanup();
    status = loggedIn;
    useCloudStore.setState(useCloudStore.getInitialState(), true);
    render(<CloudView />);
    await user.click(await screen.findByRole('button', { name: 'Add credits' }));
    await user.click(screen.getByRole('button', { name: 'Manage account' }));
    expect(calls.filter((c) => c.channel === 'shell:openExternal').map((c) => c.req)).toEqual([
      { target: 'platform-login' },
      { target: 'credits-help' },
      { target: 'platform-profile' },
    ]);
  });

  it('Update re-reads the account; a revoked cloud key says so', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({
      'cloud:status': () => ok(loggedIn),
      'cloud:refresh': () => ({ ok: false, error: { code: 'unauthorized', message: 'API key revoked' } }),
    });
    render(<CloudView />);
    await user.click(await screen.findByRole('button', { name: 'Update' }));
    expect(await screen.findByText(/Comfy Cloud refused the key: API key revoked\./)).toBeTruthy();
    expect(calls.filter((c) => c.channel === 'cloud:refresh')).toHaveLength(1);
  });
});
