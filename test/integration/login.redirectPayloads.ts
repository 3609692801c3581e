// Open-redirect payloads for the login's `next` parameter, generated from the classic families
// (protocol-relative, backslash, scheme, encoded, whitespace, lookalike slashes, userinfo) combined
// with case changes, percent-encoding rounds and leading junk. Shared by the unit and attack tests.

const EVIL = 'evil.example';

/** One representative of each family. */
export const REDIRECT_FAMILIES: readonly string[] = [
  `//${EVIL}`,
  `/\\${EVIL}`,
  `\\\\${EVIL}`,
  `\\/${EVIL}`,
  `/\\/${EVIL}`,
  `//\\${EVIL}`,
  `///${EVIL}`,
  `////${EVIL}`,
  `https:${EVIL}`,
  `https:/${EVIL}`,
  `http://${EVIL}`,
  `https://${EVIL}/`,
  `HTTP://${EVIL}`,
  `ftp://${EVIL}`,
  `http:/\\${EVIL}`,
  `http:\\\\${EVIL}`,
  `http:\\/${EVIL}`,
  `javascript:alert(1)`,
  `javascript://%0aalert(1)`,
  `vbscript:msgbox(1)`,
  `data:text/html,<script>alert(1)</script>`,
  `data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`,
  `//${EVIL}%2F..`,
  `//${EVIL}/%2e%2e`,
  `/%2F%2F${EVIL}`,
  `/%2f%2f${EVIL}`,
  `%2F%2F${EVIL}`,
  `/%5C${EVIL}`,
  `/%5c${EVIL}`,
  `%5C%5C${EVIL}`,
  `/%09/${EVIL}`,
  `/%0a/${EVIL}`,
  `/%0d%0a/${EVIL}`,
  `/%00/${EVIL}`,
  `/\t/${EVIL}`,
  `/\n/${EVIL}`,
  `/\r\n/${EVIL}`,
  `/\u0000/${EVIL}`,
  `〱${EVIL}`,
  `〱〱${EVIL}`,
  `/〱${EVIL}`,
  `\uff0f\uff0f${EVIL}`,
  `/\uff0f${EVIL}`,
  `\u2215\u2215${EVIL}`,
  `/\uff3c${EVIL}`,
  `@${EVIL}`,
  `/@${EVIL}`,
  `//user@${EVIL}`,
  `//127.0.0.1@${EVIL}`,
  `http://127.0.0.1@${EVIL}`,
  `/.${EVIL}`,
  `/..//${EVIL}`,
  `/%2e%2e//${EVIL}`,
  `/./\\${EVIL}`,
  `${EVIL}`,
  `.${EVIL}`,
  `/auth/logout`,
  `/auth/login`,
  `/auth_login.html?logout=true`,
  `/auth_login.html?next=//${EVIL}`,
  `/%61uth/logout`,
  `/\u3000/${EVIL}`,
  `/\u00a0/${EVIL}`,
  `/ /${EVIL}`,
];

const LEADING = [' ', '  ', '\t', '\n', '\r\n', '\u0000', '%20', '%09', '%0a', '%0d%0a', '%00', '/', '\u200b', '\ufeff'];

function flipCase(s: string): string {
  let out = '';
  let upper = true;
  for (const ch of s) {
    if (/[a-z]/i.test(ch)) {
      out += upper ? ch.toUpperCase() : ch.toLowerCase();
      upper = !upper;
    } else out += ch;
  }
  return out;
}

/** Every family × case × encoding × leading junk, deduplicated. */
export function openRedirectPayloads(): string[] {
  const out = new Set<string>();
  for (const base of REDIRECT_FAMILIES) {
    const cased = [base, base.toUpperCase(), flipCase(base)];
    for (const c of cased) {
      const encodedOnce = encodeURIComponent(c);
      const slashesEncoded = c.replace(/\//g, '%2F').replace(/\\/g, '%5C');
      const variants = [c, encodedOnce, encodeURIComponent(encodedOnce), slashesEncoded, slashesEncoded.replace(/%/g, '%25')];
      for (const v of variants) {
        out.add(v);
        // A leading slash turns an encoded payload into something that at first looks like a path.
        out.add(`/${v}`);
      }
    }
    for (const lead of LEADING) {
      out.add(lead + base);
      out.add(lead + encodeURIComponent(base));
    }
  }
  return [...out];
}

/** Next values that are legitimate same-origin paths and must survive the login unchanged. */
export const LEGIT_NEXT: readonly string[] = ['/', '/?tab=queue', '/extensions/x/page.html#frag', '/view?filename=a.png&type=output&subfolder='];

/**
 * Whether a Location value keeps the browser on `origin`, read the way browsers read it
 * (tabs and newlines removed, backslashes as slashes).
 */
export function staysOnOrigin(location: string, origin: string): boolean {
  if (!location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) return false;
  if (/[\u0000-\u0020\u007f-\uffff]/.test(location)) return false;
  const browserView = location.replace(/[\t\n\r]/g, '').replace(/\\/g, '/');
  if (browserView.startsWith('//')) return false;
  return new URL(browserView, origin).origin === origin;
}
