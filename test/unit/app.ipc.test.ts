// IPC handlers answer only our own window, refuse bad input, and carry errors across as data.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { IpcMain, WebContents } from 'electron';
import * as electron from '../mocks/electron';
import { CompanionError } from '../../main/common/errors';
import { EVENT_CHANNEL, INVOKE_CHANNELS, type ContractHandlers } from '../../preload/contract';
import { createIpcBridge, isPlainData } from '../../main/app/ipc';

function eventFrom(contents: electron.FakeWebContents, url: string, parent: unknown = null) {
  return { sender: contents, senderFrame: { url, parent } };
}

function setup() {
  const window = new electron.BrowserWindow({});
  const rejected: string[] = [];
  const bridge = createIpcBridge({
    ipcMain: electron.ipcMain as unknown as IpcMain,
    trustedContents: () => window.webContents as unknown as WebContents,
    onRejected: (channel, reason) => rejected.push(`${channel}:${reason}`),
  });
  const handlers = Object.fromEntries(INVOKE_CHANNELS.map((c) => [c, vi.fn(async (req: unknown) => ({ channel: c, req }))])) as unknown as ContractHandlers;
  bridge.registerAll(handlers);
  return { window, bridge, handlers, rejected };
}

beforeEach(() => electron.resetElectronMock());

describe('IPC bridge', () => {
  it('registers a handler for every contract channel', () => {
    setup();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('answers our own window with {ok:true, value}', async () => {
    const { window } = setup();
    const reply = await electron.ipcMain.invoke('keys:revoke', eventFrom(window.webContents, 'app://companion/index.html'), { id: 'k1' });
    expect(reply).toEqual({ ok: true, value: { channel: 'keys:revoke', req: { id: 'k1' } } });
  });

  it('refuses another webContents even when it shows an app:// page', async () => {
    const { handlers, rejected } = setup();
    const other = new electron.BrowserWindow({});
    const reply = await electron.ipcMain.invoke('keys:list', eventFrom(other.webContents, 'app://companion/index.html'));
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(handlers['keys:list']).not.toHaveBeenCalled();
    expect(rejected).toEqual(['keys:list:sender']);
  });

  it('refuses our window when it shows a foreign page or from a subframe', async () => {
    const { window, handlers } = setup();
    for (const event of [
      eventFrom(window.webContents, 'https://evil.example/'),
      eventFrom(window.webContents, 'file:///etc/passwd'),
      eventFrom(window.webContents, 'app://other/index.html'),
      eventFrom(window.webContents, 'app://companion/index.html', { url: 'app://companion/' }),
    ]) {
      expect(await electron.ipcMain.invoke('status:get', event)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(handlers['status:get']).not.toHaveBeenCalled();
  });

  it('refuses non-plain input before the handler runs', async () => {
    const { window, handlers } = setup();
    const ev = eventFrom(window.webContents, 'app://companion/index.html');
    for (const bad of [new Date(), new Map(), { nested: new Uint8Array(2) }, [() => 1], { n: Number.NaN }]) {
      expect(await electron.ipcMain.invoke('keys:create', ev, bad)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    }
    expect(await electron.ipcMain.invoke('keys:create', ev, { name: 'a' }, 'extra')).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(handlers['keys:create']).not.toHaveBeenCalled();
  });

  it('carries a CompanionError across as code, message and retryAfter', async () => {
    const { window, handlers } = setup();
    vi.mocked(handlers['cloud:login']).mockRejectedValueOnce(new CompanionError('rate_limited', 'Comfy Cloud is rate limiting', { retryAfter: 7 }));
    const reply = await electron.ipcMain.invoke('cloud:login', eventFrom(window.webContents, 'app://companion/'), { key: 'x', environment: 'production' });
    expect(reply).toEqual({ ok: false, error: { code: 'rate_limited', message: 'Comfy Cloud is rate limiting', retryAfter: 7 } });
  });

  it('hides unexpected errors behind a generic internal error', async () => {
    const { window, handlers } = setup();
    vi.mocked(handlers['settings:get']).mockRejectedValueOnce(new Error('ENOENT /home/me/.config/secret-path'));
    const reply = await electron.ipcMain.invoke('settings:get', eventFrom(window.webContents, 'app://companion/'));
    expect(reply).toEqual({ ok: false, error: { code: 'internal', message: 'Internal error' } });
  });

  it('pushes events on the one event channel to our window only', () => {
    const { window, bridge } = setup();
    const other = new electron.BrowserWindow({});
    bridge.push({ type: 'keys:changed', keyIds: ['k1'] });
    expect(window.webContents.sent).toEqual([{ channel: EVENT_CHANNEL, args: [{ type: 'keys:changed', keyIds: ['k1'] }] }]);
    expect(other.webContents.sent).toEqual([]);
  });

  it('dispose removes every handler', () => {
    const { bridge } = setup();
    bridge.dispose();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});

describe('isPlainData', () => {
  it('accepts JSON-like values and refuses class instances and functions', () => {
    expect(isPlainData({ a: [1, 'x', null, { b: true }] })).toBe(true);
    expect(isPlainData(Object.create(null))).toBe(true);
    expect(isPlainData(undefined)).toBe(true);
    expect(isPlainData(new (class Foo {})())).toBe(false);
    expect(isPlainData(Buffer.from('x'))).toBe(false);
    expect(isPlainData(Symbol('s'))).toBe(false);
    expect(isPlainData(10n)).toBe(false);
  });
});
