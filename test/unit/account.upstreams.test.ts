// The list of ComfyUI servers as ComfyUI connection edits it, against real fake ComfyUIs: a server is added or
// its address changed only when it answers and takes the ComfyUI key; the last one cannot be removed; make
// primary moves one to the front; check asks every one. Through the IPC handlers, bad input is refused in words.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUpstreamProber } from '../../main/account/upstreamProbe';
import { UpstreamServers } from '../../main/account/upstreamServers';
import { invokeHandler } from '../../main/api/companionApi';
import { upstreamHandlers } from '../../main/api/companionApiUpstreams';
import type { CompanionApiDeps } from '../../main/api/companionApi';
import { createSettingsStore, type SettingsStore } from '../../main/settings/settingsStore';
import type { ContractHandlers } from '../../preload/contract';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';

let dir: string;
let settings: SettingsStore;
let a: FakeComfy;
let b: FakeComfy;
let key: string | null;
let servers: UpstreamServers;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-upstreams-'));
  settings = createSettingsStore({ cwd: dir });
  a = await startFakeComfy();
  b = await startFakeComfy({ requireKey: 'box-key-0123456789', deviceName: 'cuda:0 NVIDIA GeForce RTX 3090 : cudaMallocAsync' });
  settings.update({ upstreams: [a.url] });
  key = null;
  servers = new UpstreamServers({ settings, probe: createUpstreamProber({ timeoutMs: 3000 }), key: () => key });
});
afterEach(async () => {
  await a.close();
  await b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the list of ComfyUI servers', () => {
  it('adds a server only once it answers with the current key; a refused key saves nothing and says what to do', async () => {
    const refused = await servers.add(`${b.url}/`);
    expect(refused).toMatchObject({ url: b.url, saved: false, reachable: true, keyAccepted: false });
    expect(refused.message).toContain('asks for a key');
    expect(refused.message).toContain('set it under ComfyUI key first');
    expect(settings.get().upstreams).toEqual([a.url]);
    key = 'box-key-0123456789';
    const added = await servers.add(` ${b.url}/ `);
    expect(added).toMatchObject({ url: b.url, saved: true, reachable: true, keyAccepted: true, message: 'Added. The proxy now forwards to 2 ComfyUI servers.' });
    expect(added.device).toContain('RTX 3090');
    expect(settings.get().upstreams).toEqual([a.url, b.url]);
    expect(b.received.filter((r) => r.url === '/system_stats').map((r) => r.headers.authorization)).toEqual([undefined, 'Bearer box-key-0123456789']);
  });

  it('a server that does not answer is not added; the answer says why', async () => {
    await b.stop();
    const down = await servers.add(b.url);
    expect(down).toMatchObject({ saved: false, reachable: false });
    expect(down.message).toContain(`Cannot reach ComfyUI at ${b.url}`);
    expect(settings.get().upstreams).toEqual([a.url]);
  });

  it('refuses an address already listed, however it is spelled, and more than eight servers', async () => {
    await expect(servers.add(a.url.replace('127.0.0.1', '127.0.0.1') + '//')).rejects.toMatchObject({ code: 'invalid_request', message: `${a.url} is already in the list.` });
    settings.update({ upstreams: Array.from({ length: 8 }, (_, i) => `http://box${i}.invalid:8188`) });
    await expect(servers.add(a.url)).rejects.toMatchObject({ message: 'At most 8 ComfyUI servers can be used at once; remove one first.' });
    expect(a.received.filter((r) => r.url === '/system_stats')).toEqual([]);
  });

  it('changes an address in place (same position), checked like an add', async () => {
    key = 'box-key-0123456789';
    settings.update({ upstreams: ['http://old-box.invalid:8188', a.url] });
    const changed = await servers.add(b.url, 'http://old-box.invalid:8188');
    expect(changed).toMatchObject({ saved: true, message: `Saved. The proxy now forwards to ${b.url} instead of http://old-box.invalid:8188.` });
    expect(settings.get().upstreams).toEqual([b.url, a.url]);
    await expect(servers.add(a.url, 'http://gone.invalid:8188')).rejects.toMatchObject({ code: 'not_found' });
    // Changing one server to another's address is refused; to its own is a plain re-check.
    await expect(servers.add(a.url, b.url)).rejects.toMatchObject({ message: `${a.url} is already in the list.` });
    expect((await servers.add(a.url, a.url)).saved).toBe(true);
    expect(settings.get().upstreams).toEqual([b.url, a.url]);
  });

  it('make primary moves a server to the front; remove takes it out but never the last one', () => {
    settings.update({ upstreams: [a.url, b.url, 'http://c.invalid:8188'] });
    expect(servers.makePrimary('http://c.invalid:8188/')).toEqual(['http://c.invalid:8188', a.url, b.url]);
    expect(servers.remove(a.url)).toEqual(['http://c.invalid:8188', b.url]);
    expect(servers.remove(b.url)).toEqual(['http://c.invalid:8188']);
    expect(() => servers.remove('http://c.invalid:8188')).toThrow('At least one ComfyUI server is needed');
    expect(() => servers.makePrimary(a.url)).toThrow(`${a.url} is no longer in the list`);
  });

  it('check asks every server with the current key, in the list order, and saves nothing', async () => {
    settings.update({ upstreams: [a.url, b.url] });
    const checks = await servers.check();
    expect(checks.map((c) => [c.url, c.reachable, c.keyAccepted])).toEqual([
      [a.url, true, null], // no key sent: "no key needed", not "key accepted"
      [b.url, true, false],
    ]);
    expect(settings.get().upstreams).toEqual([a.url, b.url]);
  });
});

describe('the upstreams IPC handlers', () => {
  const handlers = (): Pick<ContractHandlers, 'upstreams:add' | 'upstreams:remove' | 'upstreams:check'> =>
    upstreamHandlers({ upstreams: servers } as unknown as CompanionApiDeps); // only the list is used by these three

  it('validate their input and answer in the contract shape', async () => {
    const h = handlers() as ContractHandlers;
    const empty = await invokeHandler(h, 'upstreams:add', { url: '  ' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'invalid_request', issues: [{ path: 'url', message: 'Enter the address of a ComfyUI server.' }] } });
    const ftp = await invokeHandler(h, 'upstreams:add', { url: 'ftp://gpu-box' });
    expect(ftp).toMatchObject({ ok: false, error: { code: 'invalid_request', message: 'The ComfyUI address must start with http:// or https://.' } });
    const extra = await invokeHandler(h, 'upstreams:add', { url: a.url, sneaky: true });
    expect(extra.ok).toBe(false);
    const last = await invokeHandler(h, 'upstreams:remove', { url: a.url });
    expect(last).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const checked = await invokeHandler(h, 'upstreams:check', undefined);
    expect(checked.ok && checked.value).toEqual([
      { url: a.url, reachable: true, keyAccepted: null, comfyuiVersion: '0.3.40', device: expect.any(String) as unknown as string, latencyMs: expect.any(Number) as unknown as number, message: expect.stringContaining('Connected') as unknown as string },
    ]);
  });
});
