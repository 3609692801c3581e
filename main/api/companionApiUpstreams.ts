// The handlers behind ComfyUI connection (SPEC §5, §10): the one ComfyUI key (checked with every server),
// and the list of servers — check each, add or change an address, remove one, make one the primary.
import type { ContractHandlers, UpstreamCheck } from '../../preload/contract';
import type { ServerCheck } from '../account/upstreamServers';
import { appStatusOf } from './companionApiHome';
import type { CompanionApiDeps } from './companionApiDeps';
import { none, parse, upstreamAdd, upstreamKey, upstreamUrl } from './companionApiSchemas';

type UpstreamChannels = 'upstream:saveKey' | 'upstreams:check' | 'upstreams:add' | 'upstreams:remove' | 'upstreams:makePrimary';

/** The contract's shape: absent facts are null, never undefined. */
export function toUpstreamCheck(c: ServerCheck): UpstreamCheck {
  return {
    url: c.url,
    reachable: c.reachable,
    keyAccepted: c.keyAccepted,
    comfyuiVersion: c.comfyuiVersion ?? null,
    device: c.device ?? null,
    latencyMs: c.latencyMs ?? null,
    message: c.message,
  };
}

export function upstreamHandlers(deps: CompanionApiDeps): Pick<ContractHandlers, UpstreamChannels> {
  return {
    'upstream:saveKey': async (req) => {
      const r = parse(upstreamKey, req);
      const result = await deps.account.saveUpstreamKey({ key: r.key && r.key.length > 0 ? r.key : null, remember: r.remember });
      return { checks: result.checks.map(toUpstreamCheck), saved: result.saved, message: result.message };
    },
    'upstreams:check': async (req) => {
      parse(none, req);
      return (await deps.upstreams.check()).map(toUpstreamCheck);
    },
    'upstreams:add': async (req) => {
      const r = parse(upstreamAdd, req);
      const change = await deps.upstreams.add(r.url, r.replace);
      return { ...toUpstreamCheck(change), saved: change.saved };
    },
    'upstreams:remove': async (req) => {
      deps.upstreams.remove(parse(upstreamUrl, req).url);
      return appStatusOf(deps);
    },
    'upstreams:makePrimary': async (req) => {
      deps.upstreams.makePrimary(parse(upstreamUrl, req).url);
      return appStatusOf(deps);
    },
  };
}
