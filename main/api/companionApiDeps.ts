// What the IPC handlers call: the services of the composed app, each narrowed to the members the handlers use.
// Its own file so the handler files (companionApi*.ts, one per area) import it and never each other.
import type { CompanionEvent, ExternalTarget, ProxyStatus } from '../../preload/contract';
import type { AccountService } from '../account/accountService';
import type { UpstreamServers } from '../account/upstreamServers';
import type { JobLedgerApi } from '../jobs/types';
import type { KeyStore } from '../keys/keyStore';
import type { KeyRateLimiter } from '../keys/rateLimiter';
import type { UsageRecorder } from '../keys/usageRecorder';
import type { MonitorSnapshot, MonitorUpdate } from '../monitor/types';
import type { Settings, SettingsPatch as StoreSettingsPatch } from '../settings/settingsSchema';
import type { AccountabilityDeps } from './accountabilityApi';
import type { HomeStatePort } from './homeState';

/** The account service as these handlers use it (main/account/accountService.ts). */
export type AccountPort = Pick<
  AccountService,
  'saveUpstreamKey' | 'loginCloud' | 'logoutCloud' | 'refreshCloud' | 'logoutBrowserSessions' | 'logoutEverything' | 'status' | 'subscribe'
>;

export interface ProxyControl {
  status(): ProxyStatus;
  pause(): Promise<void>;
  resume(): Promise<void>;
  onChange?(listener: () => void): () => void;
}

/** The real services; every member is what the handlers call and nothing more. */
export interface CompanionServices {
  keys: Pick<KeyStore, 'list' | 'get' | 'create' | 'update' | 'revoke' | 'rotate' | 'onChange'>;
  usage: Pick<UsageRecorder, 'get'>;
  limiter: Pick<KeyRateLimiter, 'peek'>;
  settings: {
    get(): Settings;
    update(patch: StoreSettingsPatch): Settings;
    onChange(listener: (s: Settings) => void): () => void;
  };
  account: AccountPort;
  /** The ComfyUI servers (ComfyUI connection). */
  upstreams: Pick<UpstreamServers, 'check' | 'add' | 'remove' | 'makePrimary'>;
  monitor: {
    snapshot(): MonitorSnapshot;
    subscribe(listener: (u: MonitorUpdate) => void): () => void;
  };
  proxy: ProxyControl;
  /** Browser login sessions (their count on Home and in the nav). */
  sessions: { count(): number };
  /** The job ledger, when wired: each key's waiting and running jobs. */
  jobs?: Pick<JobLedgerApi, 'activeCount' | 'list'>;
  /** First-run checklist and notices. */
  home: HomeStatePort;
  /** Opens a URL in the system browser (Electron shell.openExternal, or a test recorder). */
  openExternal(url: string): Promise<void>;
  /** Quits the app (Electron only). */
  quit?(): void;
}

export interface CompanionApiDeps extends CompanionServices, Omit<AccountabilityDeps, 'keys'> {
  /** Where pushed events go (cloud retry progress); the same sink forwardServiceEvents uses. */
  emit(event: CompanionEvent): void;
  now?: () => number;
  /** Overrides for the allow-listed external pages (tests). */
  externalUrls?: Partial<Record<ExternalTarget, string>>;
}
