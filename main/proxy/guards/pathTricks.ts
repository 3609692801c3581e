// Raw request paths that routers disagree about. A path that holds an encoded separator or delimiter
// (%2F %5C %00 %23 %3F %3B, an encoded dot or percent), a raw `;` `\` `#` or control character, or a `.`/`..`
// segment is never an exempt static asset: ComfyUI does not route these to its API today, but one router
// change upstream would, so they go through authentication like any API call.

const ENCODED_TRICK = /%(?:2f|5c|00|23|3f|3b|2e|25|[01][0-9a-f]|7f)/i;
const RAW_TRICK = /[;\\#\u0000-\u001f\u007f]/;
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** `rawTarget` is the request target as received (req.url); only its path part is examined. */
export function hasPathTrick(rawTarget: string): boolean {
  const q = rawTarget.indexOf('?');
  const path = q < 0 ? rawTarget : rawTarget.slice(0, q);
  return ENCODED_TRICK.test(path) || RAW_TRICK.test(path) || DOT_SEGMENT.test(path);
}
