// The desktop app's side of accountability, in one call from the composition root: key changes made
// through IPC are recorded with the actor "app", settings changes and cloud logins are recorded, the
// retention setting drives retention, and the IPC handlers get their port.
import type { AccountabilityPort, ShowSaveDialog } from '../api/accountabilityApi';
import type { KeyStore } from '../keys/keyStore';
import type { ProxyServices } from './proxyStack';
import type { Settings, SettingsPatch } from '../settings/settingsSchema';
import { auditCloudLogins, type AccountStatusSource } from '../audit/accountAudit';
import { auditedKeys } from '../audit/auditedKeys';
import { APP_ACTOR } from '../audit/auditTypes';
import { auditSettings } from '../audit/settingsAudit';

export type AppKeyStore = Pick<KeyStore, 'list' | 'get' | 'create' | 'update' | 'revoke' | 'rotate' | 'onChange'>;

export interface AppAccountability {
  /** The key store as the IPC handlers use it: the same store, its changes recorded as "app". */
  keys: AppKeyStore;
  accountability: AccountabilityPort;
  stop(): void;
}

export interface AppAccountabilityDeps {
  services: Pick<ProxyServices, 'keys' | 'audit'>;
  settings: { get(): Settings; update(patch: SettingsPatch): Settings; onChange(listener: (s: Settings) => void): () => void };
  account: AccountStatusSource;
  showSaveDialog?: ShowSaveDialog;
}

export function wireAppAccountability(deps: AppAccountabilityDeps): AppAccountability {
  const { services, settings } = deps;
  const store = services.keys.store;
  const log = services.audit.log;
  const stops = [
    auditSettings(settings, log, APP_ACTOR),
    auditCloudLogins(deps.account, log, APP_ACTOR),
    settings.onChange((s) => services.audit.setRetentionDays(s.retentionDays)),
  ];
  services.audit.setRetentionDays(settings.get().retentionDays);
  return {
    keys: {
      list: () => store.list(),
      get: (id) => store.get(id),
      onChange: (listener) => store.onChange(listener),
      ...auditedKeys(store, log, APP_ACTOR),
    },
    accountability: {
      audit: log,
      usage: services.keys.usage,
      retention: { get: () => settings.get().retentionDays, set: (days) => void settings.update({ retentionDays: days }) },
      showSaveDialog: deps.showSaveDialog,
    },
    stop: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}
