// The tray: menu text per state, icon per state, and every menu action reaching the right service.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTrayMenu, findMenuItem, renderMenuAsText, trayIconName, trayTooltip, type TrayState } from '../../main/api/trayMenu';
import { createTrayActions, type TrayActionDeps } from '../../main/api/trayActions';

vi.mock('electron', () => import('../mocks/electron'));
const electron = await import('../mocks/electron');
const { createTray } = await import('../../main/app/tray');

const running: TrayState = {
  proxy: 'running',
  proxyUrl: 'http://127.0.0.1:8189',
  upstream: { url: 'http://127.0.0.1:8188', reachable: true, latencyMs: 12.4 },
  cloud: { loggedIn: true, hint: 'comfyui-ab…x9Q2' },
  sessions: 2,
  keys: 5,
};
const upstreamDown: TrayState = { ...running, upstream: { ...running.upstream, reachable: false, latencyMs: null } };
const paused: TrayState = { ...running, proxy: 'paused', proxyUrl: null, cloud: { loggedIn: false, hint: null }, sessions: 0, keys: 1 };
const failed: TrayState = { ...paused, proxy: 'error', error: 'port 8189 is in use' };

describe('tray menu text', () => {
  it('shows live status lines and enabled actions while the proxy runs', () => {
    expect(renderMenuAsText(buildTrayMenu(running))).toMatchInlineSnapshot(`
      "[Proxy: running on http://127.0.0.1:8189]
      [Upstream: http://127.0.0.1:8188 — up, 12 ms]
      [Comfy Cloud: logged in (comfyui-ab…x9Q2)]
      [5 access keys · 2 browser sessions]
      ---
      Open ComfyUI
      Open Companion
      Copy proxy URL
      ---
      Log out >
        Browser sessions (2)
        Comfy Cloud
        Everything…
      Pause proxy
      ---
      Quit"
    `);
  });
  it('says the upstream is unreachable when it is down', () => {
    expect(renderMenuAsText(buildTrayMenu(upstreamDown))).toMatchInlineSnapshot(`
      "[Proxy: running on http://127.0.0.1:8189]
      [Upstream: http://127.0.0.1:8188 — unreachable]
      [Comfy Cloud: logged in (comfyui-ab…x9Q2)]
      [5 access keys · 2 browser sessions]
      ---
      Open ComfyUI
      Open Companion
      Copy proxy URL
      ---
      Log out >
        Browser sessions (2)
        Comfy Cloud
        Everything…
      Pause proxy
      ---
      Quit"
    `);
  });
  it('offers Resume and disables proxy links while paused', () => {
    expect(renderMenuAsText(buildTrayMenu(paused))).toMatchInlineSnapshot(`
      "[Proxy: paused]
      [Upstream: http://127.0.0.1:8188 — up, 12 ms]
      [Comfy Cloud: not logged in]
      [1 access key · 0 browser sessions]
      ---
      [Open ComfyUI]
      Open Companion
      [Copy proxy URL]
      ---
      Log out >
        [Browser sessions (0)]
        [Comfy Cloud]
        Everything…
      Resume proxy
      ---
      Quit"
    `);
  });
  it('shows the start-up error and offers Start proxy', () => {
    expect(renderMenuAsText(buildTrayMenu(failed))).toMatchInlineSnapshot(`
      "[Proxy: error — port 8189 is in use]
      [Upstream: http://127.0.0.1:8188 — up, 12 ms]
      [Comfy Cloud: not logged in]
      [1 access key · 0 browser sessions]
      ---
      [Open ComfyUI]
      Open Companion
      [Copy proxy URL]
      ---
      Log out >
        [Browser sessions (0)]
        [Comfy Cloud]
        Everything…
      Start proxy
      ---
      Quit"
    `);
  });
});

describe('tray icon and tooltip', () => {
  it('picks a distinct icon for running, upstream down, paused and error', () => {
    const names = [running, upstreamDown, paused, failed].map((s) => trayIconName(s, 'linux'));
    expect(names).toEqual(['tray-running.png', 'tray-upstream-down.png', 'tray-paused.png', 'tray-error.png']);
    expect(new Set(names).size).toBe(4);
  });
  it('uses template images on macOS', () => {
    expect(trayIconName(running, 'darwin')).toBe('tray-runningTemplate.png');
  });
  it('tooltip names the proxy URL and upstream health', () => {
    expect(trayTooltip(upstreamDown)).toContain('upstream unreachable');
    expect(trayTooltip(running)).toContain('http://127.0.0.1:8189');
    expect(trayTooltip(paused)).toContain('proxy paused');
  });
});

function fakeDeps(overrides: Partial<TrayActionDeps> = {}) {
  const calls: string[] = [];
  const deps: TrayActionDeps = {
    account: {
      logoutBrowserSessions: vi.fn(async () => calls.push('sessions')),
      logoutCloud: vi.fn(async () => calls.push('cloud')),
      logoutEverything: vi.fn(async () => calls.push('everything')),
    },
    pauseProxy: vi.fn(async () => void calls.push('pause')),
    resumeProxy: vi.fn(async () => void calls.push('resume')),
    proxyUrl: () => 'http://127.0.0.1:8189',
    openExternal: vi.fn(async (url: string) => void calls.push(`open ${url}`)),
    copyText: vi.fn((t: string) => void calls.push(`copy ${t}`)),
    showCompanion: vi.fn(() => void calls.push('show')),
    confirm: vi.fn(async () => true),
    quit: vi.fn(() => void calls.push('quit')),
    onError: vi.fn(),
    ...overrides,
  };
  return { deps, calls };
}

describe('tray actions', () => {
  it('each Log out item calls its own account operation and nothing else', async () => {
    for (const [action, expected] of [
      ['logout-browser-sessions', 'sessions'],
      ['logout-cloud', 'cloud'],
      ['logout-everything', 'everything'],
    ] as const) {
      const { deps, calls } = fakeDeps();
      await createTrayActions(deps)(action);
      expect(calls).toEqual([expected]);
    }
  });

  it('Log out everything does nothing when the user cancels the confirmation', async () => {
    const { deps, calls } = fakeDeps({ confirm: vi.fn(async () => false) });
    await createTrayActions(deps)('logout-everything');
    expect(deps.confirm).toHaveBeenCalledOnce();
    expect(calls).toEqual([]);
  });

  it('Open ComfyUI opens the proxy URL in the system browser and Copy puts it on the clipboard', async () => {
    const { deps, calls } = fakeDeps();
    const dispatch = createTrayActions(deps);
    await dispatch('open-comfyui');
    await dispatch('copy-proxy-url');
    await dispatch('pause-proxy');
    await dispatch('resume-proxy');
    await dispatch('open-companion');
    await dispatch('quit');
    expect(calls).toEqual(['open http://127.0.0.1:8189', 'copy http://127.0.0.1:8189', 'pause', 'resume', 'show', 'quit']);
  });

  it('a failing log-out is reported, not thrown into the menu', async () => {
    const boom = new Error('keychain locked');
    const { deps } = fakeDeps();
    deps.account.logoutCloud = vi.fn(async () => {
      throw boom;
    });
    await expect(createTrayActions(deps)('logout-cloud')).resolves.toBeUndefined();
    expect(deps.onError).toHaveBeenCalledWith('logout-cloud', boom);
  });
});

describe('Electron tray adapter', () => {
  beforeEach(() => electron.resetElectronMock());

  type Item = { id?: string; label?: string; enabled?: boolean; click?: () => void; submenu?: Item[] };
  const menuOf = (tray: InstanceType<typeof electron.Tray>) => (tray.menu?.template ?? []) as Item[];
  const find = (items: Item[], id: string): Item | undefined => {
    for (const i of items) {
      if (i.id === id) return i;
      const inner = i.submenu ? find(i.submenu, id) : undefined;
      if (inner) return inner;
    }
    return undefined;
  };

  it('clicking Log out ▸ Comfy Cloud logs out and the rebuilt menu shows the new state', async () => {
    let state: TrayState = running;
    const { deps } = fakeDeps();
    const controller = createTray({ iconDir: '/icons', initial: state, dispatch: createTrayActions(deps), platform: 'linux' });
    deps.account.logoutCloud = vi.fn(async () => {
      state = { ...state, cloud: { loggedIn: false, hint: null } };
      controller.update(state);
    });
    const tray = electron.Tray.instances[0]!;
    expect(tray.tooltip).toContain('upstream up');
    find(menuOf(tray), 'logout-cloud')!.click!();
    await vi.waitFor(() => expect(deps.account.logoutCloud).toHaveBeenCalledOnce(), { timeout: 15_000, interval: 20 });
    expect(find(menuOf(tray), 'status-cloud')!.label).toBe('Comfy Cloud: not logged in');
    expect(find(menuOf(tray), 'logout-cloud')!.enabled).toBe(false);
  });

  it('swaps the icon when the upstream goes down and back', () => {
    const { deps } = fakeDeps();
    const controller = createTray({ iconDir: '/icons', initial: running, dispatch: createTrayActions(deps), platform: 'linux' });
    const tray = electron.Tray.instances[0]!;
    expect((tray.image as { path: string }).path).toBe('/icons/tray-running.png');
    controller.update(upstreamDown);
    expect((tray.image as { path: string }).path).toBe('/icons/tray-upstream-down.png');
    expect(find(menuOf(tray), 'status-upstream')!.label).toContain('unreachable');
    controller.update(running);
    expect((tray.image as { path: string }).path).toBe('/icons/tray-running.png');
  });

  it('every actionable item in the pure menu has a click handler in Electron', () => {
    const { deps } = fakeDeps();
    createTray({ iconDir: '/icons', initial: running, dispatch: createTrayActions(deps), platform: 'linux' });
    const tray = electron.Tray.instances[0]!;
    for (const id of ['open-comfyui', 'open-companion', 'copy-proxy-url', 'logout-browser-sessions', 'logout-cloud', 'logout-everything', 'toggle-proxy', 'quit']) {
      expect(findMenuItem(buildTrayMenu(running), id)?.action, id).toBeDefined();
      expect(typeof find(menuOf(tray), id)?.click, id).toBe('function');
    }
  });
});
