// The Settings form's checks, worded like main's settings schema, so Save stays off while the port or an
// origin would be refused (main validates again).
export interface SettingsDraft {
  listenPort: string;
  allowedOrigins: string;
}

function originProblem(line: string): boolean {
  try {
    const u = new URL(line);
    return !((u.protocol === 'http:' || u.protocol === 'https:') && u.origin === line);
  } catch {
    return true;
  }
}

export function checkSettingsDraft(d: SettingsDraft): Record<string, string> {
  const out: Record<string, string> = {};
  const port = d.listenPort.trim();
  if (!/^\d+$/.test(port)) out.listenPort = 'The port must be a whole number between 1 and 65535.';
  else if (Number(port) < 1 || Number(port) > 65535) out.listenPort = 'The port must be between 1 and 65535.';
  const lines = d.allowedOrigins.split('\n').map((l) => l.trim()).filter(Boolean);
  const bad = lines.find(originProblem);
  if (bad !== undefined) out.allowedOrigins = `“${bad}” is not an origin. Each line must look like http://host:port: a scheme, a host and an optional port, nothing else.`;
  else if (lines.length > 64) out.allowedOrigins = 'At most 64 extra origins can be allowed.';
  return out;
}
