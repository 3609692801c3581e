// The preload, built the way the app ships it (esbuild cjs bundle), exposes only window.companion.
import vm from 'node:vm';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as electron from '../mocks/electron';
import { EVENT_CHANNEL, INVOKE_CHANNELS, type CompanionBridge } from '../../preload/contract';

let bundle = '';

beforeAll(async () => {
  const out = await build({
    entryPoints: [path.resolve(__dirname, '../../preload/index.ts')],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    logLevel: 'silent',
  });
  bundle = out.outputFiles[0]!.text;
});

beforeEach(() => electron.resetElectronMock());

/** Runs the bundle in a fresh context whose only module is the fake electron. */
function runPreload(): { required: string[] } {
  const required: string[] = [];
  const module = { exports: {} };
  const context = vm.createContext({
    module,
    exports: module.exports,
    require: (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`preload must not require ${id}`);
    },
    process: { platform: 'linux' },
  });
  vm.runInContext(bundle, context, { filename: 'preload.cjs' });
  return { required };
}

function exposedBridge(): CompanionBridge {
  return electron.contextBridge.exposed.get('companion') as CompanionBridge;
}

describe('preload bundle', () => {
  it('exposes exactly one key, companion, with exactly invoke, onEvent and platform', () => {
    const { required } = runPreload();
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    expect([...electron.contextBridge.exposed.keys()]).toEqual(['companion']);
    expect(Object.keys(exposedBridge()).sort()).toEqual(['invoke', 'onEvent', 'platform']);
    expect(required).toEqual(['electron']);
  });

  it('does not hand out ipcRenderer or any generic send', () => {
    runPreload();
    const api = exposedBridge() as unknown as Record<string, unknown>;
    for (const value of Object.values(api)) expect(value).not.toBe(electron.ipcRenderer);
    expect(api['send']).toBeUndefined();
    expect(api['ipcRenderer']).toBeUndefined();
  });

  it('forwards contract channels and returns the main process result untouched', async () => {
    runPreload();
    electron.ipcRenderer.responder = (channel) =>
      channel === 'keys:revoke'
        ? { ok: false, error: { code: 'not_found', message: 'No key with id abc' } }
        : { ok: true, value: { echoed: channel } };
    const api = exposedBridge();
    await expect(api.invoke('keys:list')).resolves.toEqual({ ok: true, value: { echoed: 'keys:list' } });
    await expect(api.invoke('keys:revoke', { id: 'abc' })).resolves.toEqual({ ok: false, error: { code: 'not_found', message: 'No key with id abc' } });
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('keys:revoke', { id: 'abc' });
    expect(INVOKE_CHANNELS).toContain('keys:revoke');
  });

  it('refuses channels outside the contract without touching IPC', async () => {
    runPreload();
    const api = exposedBridge() as unknown as { invoke(channel: string, req?: unknown): Promise<unknown> };
    await expect(api.invoke('secrets:dump')).resolves.toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    await expect(api.invoke('companion:event')).resolves.toMatchObject({ ok: false });
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('turns a transport failure into an error result instead of a rejection', async () => {
    runPreload();
    electron.ipcRenderer.responder = () => {
      throw new Error('No handler registered');
    };
    await expect(exposedBridge().invoke('status:get')).resolves.toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('onEvent delivers pushed events without the IPC event object, and unsubscribes', () => {
    runPreload();
    const seen: unknown[] = [];
    const off = exposedBridge().onEvent((e) => seen.push(e));
    electron.ipcRenderer.emit(EVENT_CHANNEL, { sender: 'secret-ish' }, { type: 'keys:changed', keyIds: ['k1'] });
    off();
    electron.ipcRenderer.emit(EVENT_CHANNEL, {}, { type: 'keys:changed', keyIds: ['k2'] });
    expect(seen).toEqual([{ type: 'keys:changed', keyIds: ['k1'] }]);
    expect(electron.ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0);
  });
});
