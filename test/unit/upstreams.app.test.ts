// The app's side of several ComfyUI servers (SPEC §5, §10): the settings list and its checks, the URLs the
// proxy gets, the plain-data view the monitor pushes, and the tray (a line per server, the icon when one is
// down, the tooltip); one server keeps the tray exactly as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTrayMenu, renderMenuAsText, trayIconKind, trayTooltip, type TrayState } from '../../main/app/trayMenu';
import { MonitorService } from '../../main/monitor/monitorService';
import type { MonitorUpdate } from '../../main/monitor/types';
import type { UpstreamStatus } from '../../main/proxy/upstreams/upstreamHealth';
import { toUpstreamView, upstreamUrls } from '../../main/proxy/upstreams/upstreamViews';
import { createSettingsStore } from '../../main/settings/settingsStore';
import { checkServerList } from '../../renderer/src/views/MoreServersCard';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const base: TrayState = {
  proxy: 'running',
  proxyUrl: 'http://127.0.0.1:8189',
  upstream: { url: 'http://127.0.0.1:8188', reachable: true, latencyMs: 12 },
  cloud: { loggedIn: false, hint: null },
  sessions: 0,
  keys: 2,
};

describe('tray with several ComfyUI servers', () => {
  it('has a line per server, flags one with other nodes, and shows the down icon when one is down', () => {
    const state: TrayState = {
      ...base,
      upstreams: [
        { url: 'http://127.0.0.1:8188', state: 'up', latencyMs: 12.4, matches: true },
        { url: 'http://gpu-box:8188', state: 'down', latencyMs: null, matches: null },
        { url: 'http://gpu-box-3:8188', state: 'up', latencyMs: 30, matches: false },
      ],
    };
    const text = renderMenuAsText(buildTrayMenu(state));
    expect(text).toContain('[ComfyUI 1: http://127.0.0.1:8188 — up, 12 ms]');
    expect(text).toContain('[ComfyUI 2: http://gpu-box:8188 — down]');
    expect(text).toContain('[ComfyUI 3: http://gpu-box-3:8188 — up, 30 ms (other nodes or models: no new jobs)]');
    expect(text).not.toContain('Upstream:');
    expect(trayIconKind(state)).toBe('upstream-down');
    expect(trayTooltip(state)).toBe('ComfyUI Auth Companion — http://127.0.0.1:8189 (2 of 3 ComfyUI servers up)');
    const allUp = { ...state, upstreams: state.upstreams?.map((u) => ({ ...u, state: 'up' as const })) };
    expect(trayIconKind(allUp)).toBe('running');
  });

  it('keeps the single-server tray as it was', () => {
    const text = renderMenuAsText(buildTrayMenu(base));
    expect(text).toContain('[Upstream: http://127.0.0.1:8188 — up, 12 ms]');
    expect(text).not.toContain('ComfyUI 1:');
    expect(trayTooltip(base)).toBe('ComfyUI Auth Companion — http://127.0.0.1:8189 (upstream up)');
  });
});

describe('settings and URLs', () => {
  it('stores additional servers, refusing bad addresses, repeats and more than eight', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cac-upstreams-'));
    dirs.push(dir);
    const store = createSettingsStore({ cwd: dir });
    expect(store.get().additionalUpstreams).toEqual([]);
    store.update({ additionalUpstreams: ['http://gpu-box:8188', 'https://gpu-box-3:8443'] });
    expect(createSettingsStore({ cwd: dir }).get().additionalUpstreams).toEqual(['http://gpu-box:8188', 'https://gpu-box-3:8443']);
    expect(() => store.update({ additionalUpstreams: ['gpu-box:8188'] })).toThrow(/Each additional ComfyUI URL must/);
    expect(() => store.update({ additionalUpstreams: ['http://a:1', 'http://a:1/'] })).toThrow(/only once/);
    expect(() => store.update({ additionalUpstreams: Array.from({ length: 9 }, (_, i) => `http://box${i}:8188`) })).toThrow(/At most 8/);
  });

  it('gives the proxy the main URL first and each server once', () => {
    expect(upstreamUrls({ upstreamUrl: 'http://127.0.0.1:8188', additionalUpstreams: ['http://gpu:8188', 'http://127.0.0.1:8188/'] })).toEqual(['http://127.0.0.1:8188', 'http://gpu:8188']);
  });

  it('checks the text box line by line as the schema will', () => {
    expect(checkServerList('')).toBeNull();
    expect(checkServerList('http://gpu:8188\n\n  https://gpu2:8443  ')).toBeNull();
    expect(checkServerList('http://gpu:8188\ngpu2:8188')).toMatch(/^Line 2: /);
    expect(checkServerList('http://gpu:8188\nhttp://gpu:8188/')).toBe('Each server may be listed only once.');
  });
});

describe('monitor', () => {
  it('pushes the per-server view (a down server says why) and includes it in the snapshot', async () => {
    const monitor = new MonitorService({ upstream: () => 'http://127.0.0.1:8188', fetch: (async () => new Response('{}')) as typeof fetch, pushIntervalMs: 0 });
    const updates: MonitorUpdate[] = [];
    monitor.subscribe((u) => updates.push(u));
    const status: UpstreamStatus = {
      id: 'http://gpu:8188', state: 'down', queue: 0, latencyMs: null, device: { name: 'RTX', type: 'cuda', vramTotal: 1, vramFree: 1 },
      objectInfo: { hash: 'abc', matches: true, problem: null }, error: 'not reachable (ECONNREFUSED)', since: 5, checkedAt: 6,
    };
    const view = toUpstreamView(status);
    expect(view).toEqual({ url: 'http://gpu:8188', state: 'down', queue: 0, latencyMs: null, device: { name: 'RTX', type: 'cuda', vramTotal: 1, vramFree: 1 }, matches: true, problem: 'not reachable (ECONNREFUSED)', error: 'not reachable (ECONNREFUSED)', since: 5 });
    monitor.setUpstreams([view]);
    await expect.poll(() => updates.some((u) => u.upstreams?.[0]?.state === 'down')).toBe(true);
    expect(monitor.snapshot().upstreams).toEqual([view]);
    monitor.stop();
  });
});
