// The ComfyUI servers the proxy forwards to, as the app edits them (SPEC §5, §10): check every one with the
// ComfyUI key, add or change an address (saved only when that server answers and does not refuse the key),
// remove one, make one the primary. The list always keeps at least one server; the settings schema has the
// last word on every value.
import { CompanionError } from '../common/errors';
import type { Settings, SettingsPatch } from '../settings/settingsSchema';
import { MAX_UPSTREAMS, upstreamKey, upstreamUrlProblem } from '../settings/settingsNetwork';
import type { ProbeUpstream, UpstreamProbe } from './upstreamProbe';

export interface ServerCheck extends UpstreamProbe {
  url: string;
}

export interface ServerChange extends ServerCheck {
  /** false when the server did not answer or refused the key: the list is unchanged. */
  saved: boolean;
}

export interface UpstreamServersOptions {
  settings: { get(): Settings; update(patch: SettingsPatch): Settings };
  probe: ProbeUpstream;
  /** The ComfyUI key the proxy sends (one for every server). */
  key(): string | null;
}

/** "http://gpu-box:8188/" as typed → "http://gpu-box:8188"; refuses what can never be a server. */
export function normaliseUpstreamUrl(raw: string): string {
  const url = raw.trim().replace(/\/+$/, '');
  const problem = upstreamUrlProblem(url);
  if (problem) throw new CompanionError('invalid_request', problem);
  return url;
}

/** Asks one server; with no key sent, an answer says "no key needed" (null), not "key accepted". */
async function checkOne(probe: ProbeUpstream, url: string, key: string | null): Promise<ServerCheck> {
  const answer = await probe(url, key);
  return { ...answer, url, keyAccepted: key === null && answer.keyAccepted === true ? null : answer.keyAccepted };
}

/** Asks every server at once, each answer in the list's order. */
export function checkServers(probe: ProbeUpstream, urls: readonly string[], key: string | null): Promise<ServerCheck[]> {
  return Promise.all(urls.map((url) => checkOne(probe, url, key)));
}

/** Whether a ComfyUI key may be kept after these answers (no answering server refused it), in words. */
export function judgeKeyChecks(checks: readonly ServerCheck[], key: string | null): { saved: boolean; message: string } {
  const refused = checks.filter((c) => c.keyAccepted === false).map((c) => c.url);
  if (refused.length > 0) {
    return { saved: false, message: `ComfyUI at ${refused.join(', ')} ${key ? 'refused this key' : 'asks for a key'}. Nothing was saved.` };
  }
  const answered = checks.filter((c) => c.reachable).length;
  if (answered === 0) return { saved: true, message: 'Saved. No ComfyUI server answered, so the key could not be checked yet.' };
  const who = checks.length === 1 ? 'ComfyUI' : answered === checks.length ? `all ${answered} servers` : `${answered} of ${checks.length} servers (the others did not answer)`;
  return { saved: true, message: key ? `Saved. The key was accepted by ${who}.` : `Saved. No key is sent; ${who} answered without one.` };
}

export class UpstreamServers {
  readonly #opts: UpstreamServersOptions;

  constructor(options: UpstreamServersOptions) {
    this.#opts = options;
  }

  list(): string[] {
    return [...this.#opts.settings.get().upstreams];
  }

  /** Every server with the current key (the "Check" button); saves nothing. */
  check(): Promise<ServerCheck[]> {
    return checkServers(this.#opts.probe, this.list(), this.#opts.key());
  }

  /**
   * Adds a server, or with `replace` changes that one's address in place. The new address is checked with
   * the current key first; one that does not answer or refuses the key is not saved, and the answer says why.
   */
  async add(rawUrl: string, replace?: string): Promise<ServerChange> {
    const url = normaliseUpstreamUrl(rawUrl);
    const list = this.list();
    const at = replace === undefined ? list.length : this.#indexOf(list, replace);
    const clash = list.findIndex((u, i) => i !== at && upstreamKey(u) === upstreamKey(url));
    if (clash >= 0) throw new CompanionError('invalid_request', `${list[clash]} is already in the list.`);
    if (replace === undefined && list.length >= MAX_UPSTREAMS) {
      throw new CompanionError('invalid_request', `At most ${MAX_UPSTREAMS} ComfyUI servers can be used at once; remove one first.`);
    }
    const check = await checkOne(this.#opts.probe, url, this.#opts.key());
    if (!check.reachable || check.keyAccepted === false) {
      const hint = check.keyAccepted === false ? ' Every server gets the same ComfyUI key: set it under ComfyUI key first.' : '';
      return { ...check, message: `${check.message}${hint}`, saved: false };
    }
    // Read again: the list may have changed while the server was asked.
    const latest = this.list();
    const index = replace === undefined ? latest.length : this.#indexOf(latest, replace);
    const next = [...latest];
    next.splice(index, replace === undefined ? 0 : 1, url);
    const saved = this.#save(next);
    const message =
      replace === undefined
        ? `Added. The proxy now forwards to ${saved.length} ComfyUI servers.`
        : `Saved. The proxy now forwards to ${url} instead of ${latest[index] ?? replace}.`;
    return { ...check, message, saved: true };
  }

  /** Removes a server; the last one cannot be removed (the proxy needs somewhere to send requests). */
  remove(url: string): string[] {
    const list = this.list();
    const index = this.#indexOf(list, url);
    if (list.length === 1) throw new CompanionError('invalid_request', 'At least one ComfyUI server is needed: add another one before removing this one.');
    list.splice(index, 1);
    return this.#save(list);
  }

  /** Moves a server to the front: the primary answers /health and the app's charts, and is asked first. */
  makePrimary(url: string): string[] {
    const list = this.list();
    const [moved] = list.splice(this.#indexOf(list, url), 1);
    return this.#save([moved as string, ...list]);
  }

  #indexOf(list: readonly string[], url: string): number {
    const index = list.findIndex((u) => upstreamKey(u) === upstreamKey(url));
    if (index < 0) throw new CompanionError('not_found', `${url} is no longer in the list of ComfyUI servers.`);
    return index;
  }

  #save(list: string[]): string[] {
    return [...this.#opts.settings.update({ upstreams: list }).upstreams];
  }
}
