// Routes the one push channel to the stores that own each kind of event; started once at boot.
import type { CompanionEvent } from '../../preload/contract';
import { onEvent } from './ipc';
import { useCloudStore } from './stores/cloudStore';
import { useKeysStore } from './stores/keysStore';
import { useMonitorStore } from './stores/monitorStore';
import { useSettingsStore } from './stores/settingsStore';
import { useStatusStore } from './stores/statusStore';

let keysReload: ReturnType<typeof setTimeout> | null = null;

/** Key usage bars and "last used" move with traffic; refresh the list at most once a second. */
function scheduleKeysReload(): void {
  if (keysReload !== null || !useKeysStore.getState().loaded) return;
  keysReload = setTimeout(() => {
    keysReload = null;
    void useKeysStore.getState().load();
  }, 1000);
}

export function routeEvent(event: CompanionEvent): void {
  switch (event.type) {
    case 'monitor':
      useMonitorStore.getState().applyUpdate(event.update);
      if (event.update.requests?.some((r) => r.keyName !== null)) scheduleKeysReload();
      break;
    case 'status':
      useStatusStore.getState().apply(event.status);
      useCloudStore.getState().apply(event.status.cloud);
      break;
    case 'keys:changed':
      // Another window, the CLI or the HTTP API changed keys; the list is small, reload it.
      if (useKeysStore.getState().loaded) void useKeysStore.getState().load();
      break;
    case 'settings:changed':
      useSettingsStore.getState().apply(event.settings);
      break;
    case 'cloud:retry':
      useCloudStore.getState().onRetry(event.attempt, event.delayMs);
      break;
  }
}

export function startEventRouting(): () => void {
  return onEvent(routeEvent);
}
