// The window's frame: the nav (from views/registry.tsx) with live badges, the proxy's state at the
// bottom, and the current view. Loads the shared stores once.
import { useEffect } from 'react';
import { StatusDot } from './components/ui';
import { useCloudStore } from './stores/cloudStore';
import { useMonitorStore } from './stores/monitorStore';
import { useSettingsStore } from './stores/settingsStore';
import { useStatusStore } from './stores/statusStore';
import { useUiStore } from './stores/uiStore';
import { useResolvedTheme } from './theme';
import { VIEWS, viewById } from './views/registry';

function ProxyFooter() {
  const proxy = useStatusStore((s) => s.status?.proxy);
  const setView = useUiStore((s) => s.setView);
  if (!proxy) return null;
  const words = { running: 'Proxy running', paused: 'Proxy paused', stopped: 'Proxy stopped', error: 'Proxy not running' }[proxy.state];
  const detail = proxy.state === 'error' ? `Port ${proxy.port} in use` : proxy.url ? proxy.url.replace(/^https?:\/\//, '') : `Port ${proxy.port}`;
  return (
    <button type="button" className="nav-footer" onClick={() => setView('home')} title="Show the proxy on Home">
      <span className="proxy-state">
        <StatusDot state={proxy.state === 'running' ? 'up' : proxy.state === 'error' ? 'down' : 'warn'} label={`Proxy ${proxy.state}`} />
        <span className="ellipsis">{words}</span>
      </span>
      <span className="mono small muted ellipsis">{detail}</span>
      <span className="small muted">Version {proxy.version}</span>
    </button>
  );
}

export function App() {
  const view = useUiStore((s) => s.view);
  const setView = useUiStore((s) => s.setView);
  const themeSetting = useSettingsStore((s) => s.settings?.theme ?? 'system');
  const theme = useResolvedTheme(themeSetting);
  const current = viewById(view);

  useEffect(() => {
    void useStatusStore.getState().load();
    void useSettingsStore.getState().load();
    void useMonitorStore.getState().load();
    void useCloudStore.getState().load();
  }, []);

  return (
    <div className="app">
      <nav className="nav" aria-label="Views">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span>Auth Companion</span>
        </div>
        <ul>
          {VIEWS.map((v) => {
            const Badge = v.badge;
            const Icon = v.icon;
            return (
              <li key={v.id}>
                <button type="button" className={v.id === current.id ? 'nav-item active' : 'nav-item'} aria-current={v.id === current.id ? 'page' : undefined} onClick={() => setView(v.id)}>
                  <Icon />
                  <span className="nav-label">{v.title}</span>
                  {Badge && <Badge />}
                </button>
              </li>
            );
          })}
        </ul>
        <ProxyFooter />
      </nav>
      <main className="main">
        <header className="view-header">
          <h1>{current.title}</h1>
          <p className="muted">{current.subtitle}</p>
        </header>
        <div className="view">{current.render({ theme })}</div>
      </main>
    </div>
  );
}
