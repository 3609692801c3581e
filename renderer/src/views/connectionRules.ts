// ComfyUI connection's checks as the user types, worded like main's settings schema (main checks again):
// an address that can never be a server keeps its button off, and so does one already in the list.
import { sameServer } from './serverRows';

export const MAX_SERVERS = 8;

/** Why this cannot be a ComfyUI server's address, or null. */
export function checkUrl(raw: string): string | null {
  const value = raw.trim();
  if (value === '') return 'Enter the address of your ComfyUI server.';
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return 'The address must look like http://127.0.0.1:8188.';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'The address must start with http:// or https://.';
  if (u.username || u.password) return 'Leave the user name and password out of the address; enter the ComfyUI key instead.';
  if (u.search || u.hash) return 'The address must not contain a query (?…) or a fragment (#…).';
  return null;
}

/** The address as a new server (or as `replacing`'s new address), given the saved list. */
export function checkNewServer(raw: string, list: readonly string[], replacing: string | null): string | null {
  const problem = checkUrl(raw);
  if (problem) return problem;
  const url = raw.trim().replace(/\/+$/, '');
  const clash = list.find((u) => sameServer(u, url) && !(replacing !== null && sameServer(u, replacing)));
  if (clash) return `${clash} is already in the list.`;
  if (replacing === null && list.length >= MAX_SERVERS) return `At most ${MAX_SERVERS} ComfyUI servers can be used at once; remove one first.`;
  return null;
}
