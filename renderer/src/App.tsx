// The window's frame: left navigation with live status badges, the proxy's pause/resume control,
// and the current view. Loads the shared stores once and applies the theme.
import { useEffect } from 'react';
import { StatusDot } from './components/ui';
import { useCloudStore } from './stores/cloudStore';
import { useMonitorStore } from './stores/monitorStore';
import { useSettingsStore } from './stores/settingsStore';
import { useStatusStore } from './stores/statusStore';
import { useUiStore, VIEWS, type ViewId } from './stores/uiStore';
import { useResolvedTheme } from './theme';
import { CloudView } from './views/CloudView';
import { KeysView } from './views/KeysView';
import { LoginView } from './views/LoginView';
import { MonitorView } from './views/MonitorView';
import { SettingsView } from './views/SettingsView';
import { AuditView } from './views/AuditView';
import { UsageView } from './views/UsageView';

const TITLES: Record<ViewId, { title: string; sub: string }> = {
  login: { title: 'Login', sub: 'Connect to the ComfyUI server the proxy forwards to' },
  keys: { title: 'Access keys', sub: 'Keys that clients present to the proxy' },
  cloud: { title: 'Comfy Cloud', sub: 'Your Comfy platform key, for Comfy Cloud and API nodes' },
  monitor: { title: 'Monitor', sub: 'Live health and traffic' },
  usage: { title: 'Usage', sub: 'Jobs, GPU time and requests per key and day' },
  audit: { title: 'Audit log', sub: 'Who changed keys, logged in or out, and changed settings' },
  settings: { title: 'Settings', sub: 'Proxy and appearance' },
};

export function App() {
  const view = useUiStore((s) => s.view);
  const setView = useUiStore((s) => s.setView);
  const status = useStatusStore((s) => s.status);
  const setPaused = useStatusStore((s) => s.setPaused);
  const statusBusy = useStatusStore((s) => s.busy);
  const health = useMonitorStore((s) => s.health);
  const cloud = useCloudStore((s) => s.status);
  const themeSetting = useSettingsStore((s) => s.settings?.theme ?? 'system');
  const theme = useResolvedTheme(themeSetting);

  useEffect(() => {
    void useStatusStore.getState().load();
    void useSettingsStore.getState().load();
    void useMonitorStore.getState().load();
    void useCloudStore.getState().load();
  }, []);

  const upstreamState = health === null ? 'unknown' : health.up ? 'up' : 'down';
  const badges: Partial<Record<ViewId, React.ReactNode>> = {
    login: <StatusDot state={upstreamState} label={`Upstream ${upstreamState}`} />,
    cloud: <StatusDot state={cloud?.loggedIn ? 'up' : 'unknown'} label={cloud?.loggedIn ? 'Logged in' : 'Not logged in'} />,
  };
  const proxy = status?.proxy;

  return (
    <div className="app">
      <nav className="nav" aria-label="Views">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>Auth Companion</span>
        </div>
        <ul>
          {VIEWS.map((v) => (
            <li key={v}>
              <button type="button" className={v === view ? 'nav-item active' : 'nav-item'} aria-current={v === view ? 'page' : undefined} onClick={() => setView(v)}>
                <span>{TITLES[v].title}</span>
                {badges[v]}
              </button>
            </li>
          ))}
        </ul>
        <div className="nav-footer">
          <div className="proxy-state">
            <StatusDot state={proxy?.state === 'running' ? 'up' : proxy?.state === 'paused' ? 'warn' : 'unknown'} />
            <span>{proxy ? `Proxy ${proxy.state}` : 'Proxy…'}</span>
          </div>
          {proxy?.url && <div className="mono small muted ellipsis" title={proxy.url}>{proxy.url}</div>}
          {proxy && proxy.state !== 'stopped' && (
            <button type="button" className="button button-small" disabled={statusBusy} onClick={() => void setPaused(proxy.state === 'running')}>
              {proxy.state === 'running' ? 'Pause proxy' : 'Resume proxy'}
            </button>
          )}
          {proxy && <div className="small muted">v{proxy.version}</div>}
        </div>
      </nav>
      <main className="main">
        <header className="view-header">
          <h1>{TITLES[view].title}</h1>
          <p className="muted">{TITLES[view].sub}</p>
        </header>
        <div className="view">
          {view === 'login' && <LoginView />}
          {view === 'keys' && <KeysView theme={theme} />}
          {view === 'cloud' && <CloudView />}
          {view === 'monitor' && <MonitorView theme={theme} />}
          {view === 'settings' && <SettingsView />}
          {view === 'usage' && <UsageView theme={theme} />}
          {view === 'audit' && <AuditView />}
        </div>
      </main>
    </div>
  );
}
