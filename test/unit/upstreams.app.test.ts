// The app's side of several ComfyUI servers (SPEC §5, §10): the plain-data view the monitor pushes, and the
// tray (a line per server, the icon when one is down, the tooltip); one server keeps the tray as it was.
import { describe, expect, it } from 'vitest';
import { buildTrayMenu, renderMenuAsText, trayIconKind, trayTooltip, type TrayState } from '../../main/api/trayMenu';
import { MonitorService } from '../../main/monitor/monitorService';
import type { MonitorUpdate } from '../../main/monitor/types';
import type { UpstreamStatus } from '../../main/proxy/upstreams/upstreamHealth';
import { toUpstreamView } from '../../main/api/upstreamViews';

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
        { url: 'http://127.0.0.1:8188', state: 'up', latencyMs: 12.4, queue: 3, matches: true },
        { url: 'http://gpu-box:8188', state: 'down', latencyMs: null, queue: 0, matches: null },
        { url: 'http://gpu-box-3:8188', state: 'up', latencyMs: 30, queue: 0, matches: false },
      ],
    };
    const text = renderMenuAsText(buildTrayMenu(state));
    expect(text).toContain('[ComfyUI 1: http://127.0.0.1:8188 — up, 12 ms, 3 in queue]');
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

describe('monitor', () => {
  it('pushes the per-server view (a down server says why) and includes it in the snapshot', async () => {
    const monitor = new MonitorService({ upstream: () => 'http://127.0.0.1:8188', fetch: (async () => new Response('{}')) as typeof fetch, pushIntervalMs: 0 });
    const updates: MonitorUpdate[] = [];
    monitor.subscribe((u) => updates.push(u));
    const status: UpstreamStatus = {
      id: 'http://gpu:8188', state: 'down', queue: 0, latencyMs: null, device: { name: 'RTX', type: 'cuda', vramTotal: 1, vramFree: 1 },
      objectInfo: { hash: 'abc', matches: true, problem: null, difference: null }, error: 'not reachable (ECONNREFUSED)', since: 5, checkedAt: 6,
    };
    const view = toUpstreamView(status);
    expect(view).toEqual({ url: 'http://gpu:8188', state: 'down', queue: 0, latencyMs: null, device: { name: 'RTX', type: 'cuda', vramTotal: 1, vramFree: 1 }, matches: true, problem: 'not reachable (ECONNREFUSED)', error: 'not reachable (ECONNREFUSED)', since: 5 });
    monitor.setUpstreams([view]);
    await expect.poll(() => updates.some((u) => u.upstreams?.[0]?.state === 'down')).toBe(true);
    expect(monitor.snapshot().upstreams).toEqual([view]);
    monitor.stop();
  });
});
