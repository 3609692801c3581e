// The handlers behind Home and the app-level channels: status, proxy pause/resume/retry, external
// pages (Open ComfyUI marks the first-run step), the checklist and notices, cloud refresh, quit.
import type { AppStatus, ContractHandlers, ExternalTarget } from '../../preload/contract';
import { CompanionError } from '../common/errors';
import { buildAppStatus } from './appStatus';
import type { CompanionApiDeps } from './companionApiDeps';
import { id, none, openExternal, parse } from './companionApiSchemas';
import { toCloudStatus } from './companionApiViews';

export const PLATFORM_LOGIN_URL = 'https://platform.comfy.org/login';
/** Comfy's account page: API keys, plan and credits. */
export const PLATFORM_PROFILE_URL = 'https://platform.comfy.org/profile';
/** How credits are bought (Settings → Credits in ComfyUI, or the platform). */
export const CREDITS_HELP_URL = 'https://docs.comfy.org/interface/credits';

type HomeChannels =
  | 'status:get'
  | 'proxy:pause'
  | 'proxy:resume'
  | 'shell:openExternal'
  | 'setup:dismiss'
  | 'notice:dismiss'
  | 'cloud:refresh'
  | 'app:quit';

export function appStatusOf(deps: CompanionApiDeps): AppStatus {
  const keys = deps.keys.list();
  return buildAppStatus({
    proxy: deps.proxy.status(),
    account: deps.account.status(),
    settings: deps.settings.get(),
    health: deps.monitor.snapshot().health,
    sessions: deps.sessions.count(),
    keys: { total: keys.length, active: keys.filter((k) => k.is_active).length },
    home: deps.home,
  });
}

export function homeHandlers(deps: CompanionApiDeps): Pick<ContractHandlers, HomeChannels> {
  const externalUrl = (target: ExternalTarget): string => {
    const override = deps.externalUrls?.[target];
    if (override) return override;
    switch (target) {
      case 'platform-login':
        return PLATFORM_LOGIN_URL;
      case 'platform-profile':
        return PLATFORM_PROFILE_URL;
      case 'credits-help':
        return CREDITS_HELP_URL;
      case 'proxy-ui': {
        const url = deps.proxy.status().url;
        if (!url) throw new CompanionError('unavailable', 'The proxy is not running, so ComfyUI cannot be opened through it. Resume the proxy first.');
        return url;
      }
    }
  };
  const statusChanged = () => deps.emit({ type: 'status', status: appStatusOf(deps) });

  return {
    'status:get': async (req) => (parse(none, req), appStatusOf(deps)),
    'proxy:pause': async (req) => {
      parse(none, req);
      await deps.proxy.pause();
      return deps.proxy.status();
    },
    'proxy:resume': async (req) => {
      parse(none, req);
      await deps.proxy.resume();
      return deps.proxy.status();
    },
    'shell:openExternal': async (req) => {
      const { target } = parse(openExternal, req);
      await deps.openExternal(externalUrl(target));
      if (target === 'proxy-ui') {
        deps.home.markComfyOpened();
        statusChanged();
      }
      return null;
    },
    'setup:dismiss': async (req) => {
      parse(none, req);
      deps.home.dismissSetup();
      return appStatusOf(deps);
    },
    'notice:dismiss': async (req) => {
      const { id: noticeId } = parse(id, req);
      if (!deps.home.dismissNotice(noticeId)) throw new CompanionError('not_found', 'That notice is no longer shown.');
      return appStatusOf(deps);
    },
    'cloud:refresh': async (req) => {
      parse(none, req);
      await deps.account.refreshCloud();
      return toCloudStatus(deps.account.status(), deps.settings.get());
    },
    'app:quit': async (req) => {
      parse(none, req);
      if (!deps.quit) throw new CompanionError('unavailable', 'Quit is only available in the desktop app.');
      // Answer first: quitting tears down the window this reply goes to.
      setTimeout(() => deps.quit?.(), 0);
      return null;
    },
  };
}
