// Renderer entry: routes pushed events into the stores, then renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { startEventRouting } from './events';
import { useSettingsStore } from './stores/settingsStore';
import { applyTheme } from './theme';
import './styles/index.css';

startEventRouting();
// Applied outside React so <html data-theme> is set before any chart reads the theme's colours
// (child effects run before the App's own effects).
useSettingsStore.subscribe((s) => applyTheme(s.settings?.theme ?? 'system'));
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
