// Removes credential-looking query parameters from a logged path; the proxy already strips them, this
// is the second belt before a path reaches the window's request log.
const SECRET_PARAMS = /^(api_key|apikey|token|access_token|key)$/i;

/** Removes credential-looking query parameters; the proxy already did, this is the second belt. */
export function stripSecretParams(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = new URLSearchParams(path.slice(q + 1));
  for (const name of [...params.keys()]) if (SECRET_PARAMS.test(name)) params.delete(name);
  const rest = params.toString();
  return rest ? `${path.slice(0, q)}?${rest}` : path.slice(0, q);
}

