// The Settings form's checks, worded like main's settings schema, so Save stays off while the port, an origin,
// an allowed host or a shared folder would be refused (main validates again).
export interface SettingsDraft {
  listenPort: string;
  allowedOrigins: string;
  allowedHosts: string;
  sharedInputFolders: string;
}

export const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function originProblem(line: string): boolean {
  try {
    const u = new URL(line);
    return !((u.protocol === 'http:' || u.protocol === 'https:') && u.origin === line);
  } catch {
    return true;
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Main's allowedHostProblem in the renderer: a host name, optionally :port; never this computer. */
export function allowedHostProblem(raw: string): string | null {
  const value = raw.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(value) || value.includes('/')) return `“${raw}” must be a host name such as gpu-box.tailnet.ts.net, without http:// or a path.`;
  if (value.includes('*')) return `“${raw}”: wildcards are not supported; list each host name.`;
  const m = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m) return `“${raw}” must be a host name, optionally with a port, e.g. gpu-box:9000.`;
  const host = m[1] ?? '';
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return `“${raw}”: the port must be between 1 and 65535.`;
  if (LOOPBACK.test(host)) return `“${raw}” is this computer, which is always allowed (with any port); remove this line.`;
  if (!HOST_NAME.test(host) && !/^\[[0-9a-f:.]+\]$/.test(host)) return `“${raw}” is not a host name: use letters, digits, dots and hyphens, e.g. gpu-box.tailnet.ts.net.`;
  return null;
}

/** A shared folder as main stores it: slashes trimmed and collapsed. */
export const normalFolder = (line: string): string => line.trim().replace(/\/{2,}/g, '/').replace(/^\/+|\/+$/g, '');

/** Main's sharedFolderProblem (common/inputFolders.ts) in the renderer. */
export function sharedFolderProblem(folder: string): string | null {
  if (folder === '') return 'A shared folder needs a name, such as "team" or "refs/faces".';
  if (folder.length > 200) return 'A shared folder name may be at most 200 characters.';
  if (/[\\\x00-\x1f\x7f]/.test(folder)) return `“${folder}” holds a backslash or a control character; use "/" between folders.`;
  if (/^[a-zA-Z]:/.test(folder)) return `“${folder}” is an absolute path; name a folder inside ComfyUI's input folder.`;
  const segments = folder.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return `“${folder}” holds "." or ".."; name a folder inside ComfyUI's input folder.`;
  if (segments.some((s) => /^private-[a-z0-9_-]{22}$/.test(s.toLowerCase().replace(/(?::[^:/\\]*)+$/, '').replace(/[. ]+$/, '')))) {
    return `“${folder}” is an access key's private upload folder; those cannot be shared.`;
  }
  return null;
}

export function checkSettingsDraft(d: SettingsDraft): Record<string, string> {
  const out: Record<string, string> = {};
  const port = d.listenPort.trim();
  if (!/^\d+$/.test(port)) out.listenPort = 'The port must be a whole number between 1 and 65535.';
  else if (Number(port) < 1 || Number(port) > 65535) out.listenPort = 'The port must be between 1 and 65535.';
  const origins = lines(d.allowedOrigins);
  const bad = origins.find(originProblem);
  if (bad !== undefined) out.allowedOrigins = `“${bad}” is not an origin. Each line must look like http://host:port: a scheme, a host and an optional port, nothing else.`;
  else if (origins.length > 64) out.allowedOrigins = 'At most 64 extra origins can be allowed.';
  const hosts = lines(d.allowedHosts);
  const hostProblem = hosts.map(allowedHostProblem).find((p) => p !== null);
  const seen = new Set<string>();
  const twice = hosts.find((h) => (seen.has(h.toLowerCase()) ? true : (seen.add(h.toLowerCase()), false)));
  if (hostProblem) out.allowedHosts = hostProblem;
  else if (twice !== undefined) out.allowedHosts = `“${twice}” is listed twice.`;
  else if (hosts.length > 64) out.allowedHosts = 'At most 64 extra host names can be allowed.';
  const folders = lines(d.sharedInputFolders).map(normalFolder);
  const folderProblem = folders.map(sharedFolderProblem).find((p) => p !== null);
  const twiceFolder = folders.find((f, i) => folders.indexOf(f) !== i);
  if (folderProblem) out.sharedInputFolders = folderProblem;
  else if (twiceFolder !== undefined) out.sharedInputFolders = `“${twiceFolder}” is listed twice.`;
  else if (folders.length > 64) out.sharedInputFolders = 'At most 64 folders can be shared.';
  return out;
}
