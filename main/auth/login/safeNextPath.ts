// Decides where a login may send the browser afterwards: a plain same-origin path, or `/`.
// Open redirects hide in encodings, backslashes, control characters and lookalike slashes, so the
// value is checked as sent and after every round of percent-decoding, and parsed by the URL parser.

const BASE = 'http://x.invalid';
const BASE_ORIGIN = new URL(BASE).origin;
const MAX_LENGTH = 2048;
/** Rounds of percent-decoding re-checked (double and triple encodings). */
const DECODE_ROUNDS = 4;

/** Raw `next` values are ASCII as browsers send them; anything else is not a path we produced. */
const RAW_ALLOWED = /^[\x21-\x7e]*$/;
/** C0/C1 controls, backslash and `@` (userinfo tricks), in any decoded form. */
const FORBIDDEN_DECODED = /[\u0000-\u001f\u007f-\u009f\\@]/;
/** Characters some browsers or servers treat as slashes or that look like them. */
const LOOKALIKE_SLASHES = /[\u2044\u2215\u2571\u29f5\u29f8\u29f9\u3031\u3033\u3035\ufe68\uff0f\uff3c\u2216\u00a0\u1680\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/;
/** Targets that would loop back into login or log out again. */
const LOOP_PATHS = /^\/(?:auth\/|auth_login\.html$|auth_login\.|auth_inject\.js$)/i;

function isSameOriginPath(value: string): URL | null {
  if (!value.startsWith('/') || value.startsWith('//')) return null;
  if (FORBIDDEN_DECODED.test(value) || LOOKALIKE_SLASHES.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE_ORIGIN || url.pathname.startsWith('//')) return null;
  if (LOOP_PATHS.test(url.pathname)) return null;
  return url;
}

/**
 * Returns `raw` normalised as path + query + fragment when it is a plain same-origin path
 * (`/?tab=queue`, `/extensions/x/page.html#frag`), else `/`. Never throws.
 */
export function safeNextPath(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_LENGTH) return '/';
  if (!RAW_ALLOWED.test(raw)) return '/';
  const url = isSameOriginPath(raw);
  if (!url) return '/';
  let current = raw;
  for (let round = 0; round < DECODE_ROUNDS; round++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return '/'; // a malformed escape: no router agrees on what it means
    }
    if (decoded === current) break;
    if (!isSameOriginPath(decoded)) return '/';
    current = decoded;
  }
  if (current !== decodeSafely(current)) return '/'; // still encoded after every round: too deep to trust
  const out = url.pathname + url.search + url.hash;
  // The serialised form is what goes into Location; check it once more as the browser will read it.
  return out.startsWith('/') && !out.startsWith('//') && !out.startsWith('/\\') ? out : '/';
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return '';
  }
}
