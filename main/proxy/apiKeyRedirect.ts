// Where a `?api_key=` browser navigation is sent after its key was traded for a session: the same path
// without the key, but only when it passes the rules of the login form's `next` (safeNextPath), so
// `GET //evil.example/?api_key=K` cannot bounce a valid key holder off-origin. Anything else goes to `/`.
import { stripQueryCredential } from './credentials';
import { safeNextPath } from './login/safeNextPath';

export function apiKeyRedirectTarget(url: URL): string {
  return safeNextPath(stripQueryCredential(url));
}
