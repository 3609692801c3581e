// multipart/form-data as ComfyUI's aiohttp reads it, strictly: the proxy checks a few fields of a key's
// upload form, so it must see the same fields ComfyUI will (aiohttp takes unquoted names, RFC 2231
// `name*=utf-8''…`, strips leading '/' and '\' from names, honours `_charset_`). Anything the proxy cannot read
// the one way aiohttp would is refused: a rule checked on a field ComfyUI never reads protects nothing.
import { CompanionError } from '../../common/errors';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 2046 boundary characters without the space (no client sends one; aiohttp also caps it at 70). */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/;
/** The raw parameter value: the boundary, quoted or not, with nothing else (no tab, no space inside quotes). */
const BOUNDARY_PARAM = /^ *("?)([^" \t]*)\1 *$/;

export const formProblem = (why: string) => new CompanionError('invalid_request', `The upload form is not one the proxy can read unambiguously: ${why}.`);

/** The boundary of a multipart/form-data body; throws for any other type (aiohttp would read it as a URL-encoded form). */
export function formBoundary(contentType: string | undefined): string {
  const [type = '', ...params] = (contentType ?? '').split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') throw formProblem('it must be sent as multipart/form-data');
  const found = params.filter((p) => p.split('=')[0]?.trim().toLowerCase() === 'boundary');
  if (found.length !== 1) throw formProblem('it needs exactly one boundary');
  const param = found[0] as string;
  const value = BOUNDARY_PARAM.exec(param.slice(param.indexOf('=') + 1))?.[2] ?? '';
  if (!BOUNDARY.test(value)) throw formProblem('its boundary has characters multipart does not allow');
  return value;
}

/**
 * Reads the boundary of a key's form and makes it the only one ComfyUI can see: the Content-Type sent upstream
 * becomes exactly `multipart/form-data; boundary=<it>`, so aiohttp's own parsing of the header (it has two) cannot
 * find another boundary than the one the proxy checked.
 */
export function pinFormBoundary(headers: Record<string, string | string[] | undefined>): string {
  const boundary = formBoundary(typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined);
  headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  return boundary;
}

export interface PartHead {
  /** The field name aiohttp reports (name* before name). */
  name: string;
  /** Set when aiohttp would treat the part as a file. */
  filename: string | null;
  /** Lower-cased header names → values (each header at most once). */
  headers: Map<string, string>;
}

function extValue(value: string): string {
  // RFC 5987: charset'lang'percent-encoded. Only UTF-8 (or none), so the bytes mean one thing.
  const quote = value.split("'");
  if (!TOKEN.test(value) || quote.length !== 3) throw formProblem('a name*= value is not charset\'lang\'value');
  const charset = (quote[0] ?? '').toLowerCase();
  if (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') throw formProblem('a name*= value is not UTF-8');
  const encoded = quote[2] ?? '';
  if (/%(?![0-9A-Fa-f]{2})/.test(encoded)) throw formProblem('a name*= value has a stray %');
  try {
    return decodeURIComponent(encoded).replace(/^[\\/]+/, '');
  } catch {
    throw formProblem('a name*= value is not valid UTF-8');
  }
}

/** `form-data; name="x"; filename*=utf-8''y` → its parameters, the way aiohttp's parse_content_disposition reads them. */
export function dispositionParams(value: string): Map<string, string> {
  const disptype = /^\s*[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*/y;
  if (!disptype.exec(value)) throw formProblem('a Content-Disposition has no type');
  const param = /;\s*([^=;\s]+)\s*=\s*("[^"\\;]*(?:\\[\x00-\x3a\x3c-\x7f][^"\\;]*)*"|[!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s*/y;
  param.lastIndex = disptype.lastIndex;
  const params = new Map<string, string>();
  while (param.lastIndex < value.length) {
    const m = param.exec(value);
    if (!m) throw formProblem('a Content-Disposition parameter is malformed (or holds a ";")');
    const key = (m[1] as string).toLowerCase();
    const raw = m[2] as string;
    if (!TOKEN.test(key) || params.has(key)) throw formProblem(`a Content-Disposition has a bad or repeated "${key}"`);
    // Continuations (name*0, filename*1*) are read differently by different parsers: never needed, refused.
    if (/\*./.test(key)) throw formProblem(`a Content-Disposition uses the continuation "${key}"`);
    if (key.endsWith('*')) params.set(key, extValue(raw));
    else if (raw.startsWith('"')) params.set(key, raw.slice(1, -1).replace(/^[\\/]+/, '').replace(/\\([\x00-\x7f])/g, '$1'));
    else params.set(key, raw);
  }
  return params;
}

/** aiohttp prefers `name*` over `name`; a form giving both, differently, is refused. */
function oneOf(params: Map<string, string>, key: string): string | null {
  const plain = params.get(key);
  const ext = params.get(`${key}*`);
  if (plain !== undefined && ext !== undefined && plain !== ext) throw formProblem(`a part gives two different ${key}s`);
  return ext ?? plain ?? null;
}

/** One part's header block (between the boundary line and the blank line). */
export function parsePartHead(head: string): PartHead {
  // Read byte for byte (latin1) here, UTF-8 and Python-stripped in aiohttp: only printable ASCII means one thing.
  if (/[^\x20-\x7e\t\r\n]/.test(head)) throw formProblem('a part header holds a byte other than printable ASCII');
  const headers = new Map<string, string>();
  for (const line of head === '' ? [] : head.split('\r\n')) {
    // aiohttp splits header lines on a bare LF too and folds indented lines: neither is ever needed.
    const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([^\r\n]*?)[ \t]*$/.exec(line);
    if (!m) throw formProblem('a part header line is malformed');
    const key = (m[1] as string).toLowerCase();
    if (headers.has(key)) throw formProblem(`a part repeats its ${key} header`);
    headers.set(key, m[2] as string);
  }
  const disposition = headers.get('content-disposition');
  if (disposition === undefined) throw formProblem('a part has no Content-Disposition');
  const params = dispositionParams(disposition);
  const name = oneOf(params, 'name');
  if (name === null) throw formProblem('a part has no name');
  if (params.get('name') === '_charset_' || name === '_charset_') throw formProblem('a _charset_ part would change how the other fields are read');
  return { name, filename: oneOf(params, 'filename') || null, headers };
}

/**
 * A text field's value as aiohttp hands it to ComfyUI: refused when its bytes could be read another way
 * (a transfer or content encoding, a charset other than UTF-8, a file part, a non-text type).
 */
export function textValue(part: PartHead, body: Buffer): string {
  const type = part.headers.get('content-type');
  if (part.filename !== null) throw formProblem(`"${part.name}" is sent as a file`);
  if (part.headers.has('content-transfer-encoding') || part.headers.has('content-encoding')) throw formProblem(`"${part.name}" is encoded`);
  // Only the plain forms: any other parameter list is one more place for the two parsers to disagree.
  if (type !== undefined && !/^text\/plain(?: *; *charset="?(?:utf-8|utf8|us-ascii)"?)?$/i.test(type)) {
    throw formProblem(`"${part.name}" is not plain UTF-8 text`);
  }
  return body.toString('utf8');
}

/** After a closing `--B--`: the end of the body or a CRLF (aiohttp would read anything else differently). */
export function isFormEnd(next: Buffer): boolean {
  return next.length === 0 || next.toString('latin1') === '\r\n';
}

/**
 * Whether a `needle` could begin in `tail` (the few bytes a scan held back at the end of the last chunk) and
 * end in `next`: the one place a search of `next` alone would miss it. Looks at `tail` plus the first
 * needle.length - 1 bytes of `next` — a copy of at most twice the needle, never of the chunk. True also when
 * `next` is too short to tell (the caller then joins the two, a small copy).
 */
export function mayStraddle(tail: Buffer, next: Buffer, needle: Buffer): boolean {
  const reach = needle.length - 1;
  if (next.length < reach) return true;
  const at = Buffer.concat([tail, next.subarray(0, reach)]).indexOf(needle);
  return at !== -1 && at < tail.length;
}

/**
 * Where the bytes that could begin `needle` (cut off by the end of `buf`) start: the earliest position in the
 * last needle.length - 1 bytes from which the rest of `buf` is a prefix of `needle`, or buf.length when there is
 * none. A scan holds back only those bytes, so inside a file's data (where a delimiter's CR is rare) the chunk
 * usually goes on whole, as one write.
 */
export function partialMatchStart(buf: Buffer, needle: Buffer): number {
  const first = needle[0];
  for (let i = Math.max(0, buf.length - (needle.length - 1)); i < buf.length; i++) {
    if (buf[i] === first && needle.subarray(0, buf.length - i).equals(buf.subarray(i))) return i;
  }
  return buf.length;
}

export interface FormPart extends PartHead {
  body: Buffer;
}

/** Every part of a whole (small) form, read like aiohttp: parts end at CRLF--boundary, the form at --boundary--. */
export function splitForm(body: Buffer, boundary: string): FormPart[] {
  const open = Buffer.from(`--${boundary}\r\n`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // No preamble: aiohttp would skip lines (even "--B--junk") that the proxy would have to read its way.
  if (!body.subarray(0, open.length).equals(open)) throw formProblem('it must start with its boundary');
  const parts: FormPart[] = [];
  let at = open.length - 2;
  for (;;) {
    const after = body.subarray(at, at + 2).toString('latin1');
    if (after === '--') {
      if (!isFormEnd(body.subarray(at + 2, at + 4))) throw formProblem('its closing boundary has trailing characters');
      return parts;
    }
    if (after !== '\r\n') throw formProblem('a boundary line has trailing characters');
    const headEnd = body.indexOf('\r\n\r\n', at);
    if (headEnd < 0) throw formProblem('a part header never ends');
    const dataStart = headEnd + 4;
    // aiohttp's part data starts with the blank line's CRLF, so "\r\n\r\n--B" already ends an empty part.
    const dataEnd = body.indexOf(delimiter, headEnd + 2);
    if (dataEnd < 0) throw formProblem('it has no closing boundary');
    const head = parsePartHead(body.subarray(Math.min(at + 2, headEnd), headEnd).toString('latin1'));
    parts.push({ ...head, body: body.subarray(dataStart, Math.max(dataStart, dataEnd)) });
    at = dataEnd + delimiter.length;
  }
}
