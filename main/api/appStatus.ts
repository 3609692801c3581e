// Builds the AppStatus the window's Home and nav read: proxy state with its reason, the upstream's
// health and exposure, cloud login, sessions, key counts, the first-run checklist and notices.
import type { AppStatus, ProxyStatus } from '../../preload/contract';
import type { AccountStatus } from '../account/accountService';
import type { HealthSample } from '../monitor/types';
import { isLoopbackHost } from '../http/listenAddress';
import type { Settings } from '../settings/settingsSchema';
import { toCloudStatus } from './companionApiViews';
import type { HomeStatePort } from './homeState';

export interface AppStatusSources {
  proxy: ProxyStatus;
  account: AccountStatus;
  settings: Settings;
  health: HealthSample | null;
  sessions: number;
  keys: { total: number; active: number };
  home: HomeStatePort;
}

/** True when the URL's host is this computer; a URL that does not parse counts as not loopback. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** host:port of a server on another machine, as the exposure notice names it. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function buildAppStatus(s: AppStatusSources): AppStatus {
  // A sample from before the primary changed is about another server: "not checked yet" until the next.
  const h = s.health && s.health.url === s.account.upstream.url ? s.health : null;
  const remote = s.account.upstream.urls.filter((u) => !isLoopbackUrl(u)).map(hostOf);
  return {
    proxy: s.proxy,
    upstream: {
      url: s.account.upstream.url,
      urls: s.account.upstream.urls,
      keyHint: s.account.upstream.keyHint,
      keyRemembered: s.account.upstream.keyRemembered,
      reachable: h ? h.up : null,
      latencyMs: h?.latencyMs ?? null,
      error: h && !h.up ? h.error : null,
      loopback: remote.length === 0,
      remote,
    },
    cloud: toCloudStatus(s.account, s.settings),
    secretBackend: s.account.secretBackend,
    warnings: s.account.warnings,
    sessions: s.sessions,
    keys: s.keys,
    setup: s.home.setup(),
    notices: s.home.notices(),
  };
}
