// The settings that say where traffic goes and who may reach the proxy: the ComfyUI servers (SPEC §10, the
// first is the primary) and the extra host names people arrive by (SPEC §2.1, §8.0), with their messages.
import { z } from 'zod';

export const MAX_UPSTREAMS = 8;
export const MAX_ALLOWED_HOSTS = 64;
export const DEFAULT_UPSTREAM = 'http://127.0.0.1:8188';

/** The same server however it is spelled (case, default port, trailing slash): what the proxy keys it by. */
export function upstreamKey(url: string): string {
  try {
    return new URL(url).href.replace(/\/+$/, '');
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
}

/** Why an address cannot be a ComfyUI server, as a sentence naming `field`; null when it can. */
export function upstreamUrlProblem(value: string, field = 'The ComfyUI address'): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${field} must be a web address like http://127.0.0.1:8188.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${field} must start with http:// or https://.`;
  if (url.username || url.password) return `${field} must not contain a user name or password; enter the ComfyUI key instead.`;
  if (url.search || url.hash) return `${field} must not contain a query (?…) or a fragment (#…).`;
  return null;
}

const upstreamUrl = z.string({ message: 'Each ComfyUI address must be text like http://127.0.0.1:8188.' }).superRefine((value, ctx) => {
  const problem = upstreamUrlProblem(value, `“${value}”`);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** 1–8 ComfyUI servers, each once; the first is the primary (health, charts, shared reads first). */
export const upstreamsSchema = z
  .array(upstreamUrl, { message: 'The ComfyUI servers must be a list of addresses.' })
  .min(1, { message: 'At least one ComfyUI server is needed.' })
  .max(MAX_UPSTREAMS, { message: `At most ${MAX_UPSTREAMS} ComfyUI servers can be used at once.` })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, url] of list.entries()) {
      const key = upstreamKey(url);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `${url} is listed twice; each ComfyUI server may be listed once.` });
      seen.add(key);
    }
  });

const LOOPBACK_NAMES = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]+\]$/;

/** Why an allowed-host entry cannot work, in words; null when it can. Case-insensitive like Host. */
export function allowedHostProblem(raw: string): string | null {
  const value = raw.trim().toLowerCase();
  if (value === '') return 'An allowed host cannot be empty.';
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(value) || value.includes('/')) return `“${raw}” must be a host name such as gpu-box.tailnet.ts.net, without http:// or a path.`;
  if (value.includes('*')) return `“${raw}”: wildcards are not supported; list each host name.`;
  const m = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m) return `“${raw}” must be a host name, optionally with a port, e.g. gpu-box:9000.`;
  const host = m[1] ?? '';
  const port = m[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `“${raw}”: the port must be between 1 and 65535.`;
  if (LOOPBACK_NAMES.test(host)) return `“${raw}” is this computer, which is always allowed (with any port); remove this line.`;
  if (!HOST_NAME.test(host) && !IPV6.test(host)) return `“${raw}” is not a host name: use letters, digits, dots and hyphens, e.g. gpu-box.tailnet.ts.net.`;
  return null;
}

/** Host names (any port) or name:port (that port only) that may reach the proxy besides this computer. */
export const allowedHostsSchema = z
  .array(z.string({ message: 'Each allowed host must be text.' }), { message: 'The allowed hosts must be a list of host names.' })
  .max(MAX_ALLOWED_HOSTS, { message: `At most ${MAX_ALLOWED_HOSTS} extra host names can be allowed.` })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, entry] of list.entries()) {
      const problem = allowedHostProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem });
      const key = entry.trim().toLowerCase();
      if (!problem && seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `“${entry}” is listed twice.` });
      seen.add(key);
    }
  })
  // The proxy compares lowercased names; store them that way so the list reads as it works.
  .transform((list) => list.map((h) => h.trim().toLowerCase()));
