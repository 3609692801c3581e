// Pure description of the tray: menu template, tooltip and icon name from the companion's state,
// so the menu (SPEC §5) is tested without Electron. Items carry an action id, not a callback.

export type ProxyState = 'running' | 'paused' | 'stopped' | 'error';

export interface TrayState {
  proxy: ProxyState;
  /** The proxy's own URL while it listens, e.g. http://127.0.0.1:8189; null otherwise. */
  proxyUrl: string | null;
  /** reachable null = not probed yet; latencyMs null = unknown. */
  upstream: { url: string; reachable: boolean | null; latencyMs: number | null };
  /** With several ComfyUI servers (SPEC §10): each one's state; absent with one. */
  upstreams?: { url: string; state: 'up' | 'down' | 'checking'; latencyMs: number | null; queue: number; matches: boolean | null }[];
  /** hint is the masked key (never the key itself). */
  cloud: { loggedIn: boolean; hint: string | null };
  sessions: number;
  keys: number;
  /** Short, secret-free reason when proxy is 'error' (e.g. "port 8189 is in use"). */
  error?: string | null;
}

export type TrayActionId =
  | 'open-comfyui'
  | 'open-companion'
  | 'copy-proxy-url'
  | 'logout-browser-sessions'
  | 'logout-cloud'
  | 'logout-everything'
  | 'pause-proxy'
  | 'resume-proxy'
  | 'quit';

/** Subset of Electron's MenuItemConstructorOptions; the adapter maps `action` to `click`. */
export interface MenuItemTemplate {
  type?: 'normal' | 'separator' | 'submenu';
  id?: string;
  label?: string;
  enabled?: boolean;
  action?: TrayActionId;
  submenu?: MenuItemTemplate[];
}

const SEPARATOR: MenuItemTemplate = { type: 'separator' };

const PROXY_WORDS: Record<ProxyState, string> = {
  running: 'running',
  paused: 'paused',
  stopped: 'stopped',
  error: 'error',
};

function status(id: string, label: string): MenuItemTemplate {
  return { id, label, enabled: false };
}

function upstreamLine(state: TrayState): string {
  const { url, reachable, latencyMs } = state.upstream;
  if (reachable === null) return `Upstream: ${url} — checking…`;
  if (!reachable) return `Upstream: ${url} — unreachable`;
  return latencyMs === null ? `Upstream: ${url} — up` : `Upstream: ${url} — up, ${Math.round(latencyMs)} ms`;
}

/** One status line per ComfyUI server when there are several. */
function upstreamLines(state: TrayState): MenuItemTemplate[] {
  const list = state.upstreams;
  if (!list || list.length < 2) return [status('status-upstream', upstreamLine(state))];
  return list.map((u, i) => {
    const queue = u.queue > 0 ? `, ${u.queue} in queue` : '';
    const what = u.state === 'checking' ? 'checking…' : u.state === 'down' ? 'down' : `up${u.latencyMs === null ? '' : `, ${Math.round(u.latencyMs)} ms`}${queue}`;
    return status(`status-upstream-${i}`, `ComfyUI ${i + 1}: ${u.url} — ${what}${u.matches === false ? ' (other nodes or models: no new jobs)' : ''}`);
  });
}

function proxyLine(state: TrayState): string {
  if (state.proxy === 'running' && state.proxyUrl) return `Proxy: running on ${state.proxyUrl}`;
  if (state.proxy === 'error') return `Proxy: error${state.error ? ` — ${state.error}` : ''}`;
  return `Proxy: ${PROXY_WORDS[state.proxy]}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function buildTrayMenu(state: TrayState): MenuItemTemplate[] {
  const running = state.proxy === 'running' && state.proxyUrl !== null;
  const toggle: MenuItemTemplate =
    state.proxy === 'running'
      ? { id: 'toggle-proxy', label: 'Pause proxy', action: 'pause-proxy' }
      : { id: 'toggle-proxy', label: state.proxy === 'paused' ? 'Resume proxy' : 'Start proxy', action: 'resume-proxy' };
  return [
    status('status-proxy', proxyLine(state)),
    ...upstreamLines(state),
    status('status-cloud', state.cloud.loggedIn ? `Comfy Cloud: logged in${state.cloud.hint ? ` (${state.cloud.hint})` : ''}` : 'Comfy Cloud: not logged in'),
    status('status-counts', `${plural(state.keys, 'access key', 'access keys')} · ${plural(state.sessions, 'browser session', 'browser sessions')}`),
    SEPARATOR,
    { id: 'open-comfyui', label: 'Open ComfyUI', enabled: running, action: 'open-comfyui' },
    { id: 'open-companion', label: 'Open Companion', action: 'open-companion' },
    { id: 'copy-proxy-url', label: 'Copy proxy URL', enabled: running, action: 'copy-proxy-url' },
    SEPARATOR,
    {
      id: 'logout',
      label: 'Log out',
      type: 'submenu',
      submenu: [
        {
          id: 'logout-browser-sessions',
          label: `Browser sessions (${state.sessions})`,
          enabled: state.sessions > 0,
          action: 'logout-browser-sessions',
        },
        { id: 'logout-cloud', label: 'Comfy Cloud', enabled: state.cloud.loggedIn, action: 'logout-cloud' },
        { id: 'logout-everything', label: 'Everything…', action: 'logout-everything' },
      ],
    },
    toggle,
    SEPARATOR,
    { id: 'quit', label: 'Quit', action: 'quit' },
  ];
}

export function trayTooltip(state: TrayState): string {
  const head = 'ComfyUI Auth Companion';
  if (state.proxy !== 'running') return `${head} — proxy ${PROXY_WORDS[state.proxy]}`;
  const several = state.upstreams && state.upstreams.length > 1 ? state.upstreams : null;
  if (several) return `${head} — ${state.proxyUrl ?? 'proxy running'} (${several.filter((u) => u.state === 'up').length} of ${several.length} ComfyUI servers up)`;
  const upstream = state.upstream.reachable === false ? 'upstream unreachable' : state.upstream.reachable ? 'upstream up' : 'checking upstream';
  return `${head} — ${state.proxyUrl ?? 'proxy running'} (${upstream})`;
}

export type TrayIconKind = 'running' | 'upstream-down' | 'paused' | 'error';

export function trayIconKind(state: TrayState): TrayIconKind {
  if (state.proxy === 'error') return 'error';
  if (state.proxy !== 'running') return 'paused';
  // With several servers, one down already asks for attention: jobs run on fewer GPUs than the user set up.
  if (state.upstreams && state.upstreams.length > 1) return state.upstreams.some((u) => u.state === 'down') ? 'upstream-down' : 'running';
  return state.upstream.reachable === false ? 'upstream-down' : 'running';
}

/**
 * File name under the tray icon folder. macOS menu bars want monochrome "template" images that the
 * system tints for light/dark menu bars; Electron recognises them by the `Template` suffix.
 */
export function trayIconName(state: TrayState, platform: NodeJS.Platform = process.platform): string {
  return `tray-${trayIconKind(state)}${platform === 'darwin' ? 'Template' : ''}.png`;
}

/** Plain-text rendering of a menu (for tests, snapshots and logs): disabled items in [brackets]. */
export function renderMenuAsText(template: readonly MenuItemTemplate[], indent = ''): string {
  const lines: string[] = [];
  for (const item of template) {
    if (item.type === 'separator') {
      lines.push(`${indent}---`);
      continue;
    }
    const label = item.label ?? '';
    const text = item.enabled === false ? `[${label}]` : label;
    if (item.submenu) {
      lines.push(`${indent}${text} >`);
      lines.push(renderMenuAsText(item.submenu, `${indent}  `));
    } else {
      lines.push(`${indent}${text}`);
    }
  }
  return lines.join('\n');
}

/** Finds an item by id anywhere in the template. */
export function findMenuItem(template: readonly MenuItemTemplate[], id: string): MenuItemTemplate | undefined {
  for (const item of template) {
    if (item.id === id) return item;
    const inner = item.submenu ? findMenuItem(item.submenu, id) : undefined;
    if (inner) return inner;
  }
  return undefined;
}
