// What a relayed close frame may carry. A WebSocket close frame carries at most 123 bytes of reason (RFC 6455 §5.5; `ws` throws beyond that). Our
// reasons are sentences (why a key was cut off) that may hold non-ASCII key names: cut by bytes, at a character.
const MAX_BYTES = 123;

export function closeReason(text: string): string {
  if (Buffer.byteLength(text) <= MAX_BYTES) return text;
  let out = '';
  for (const ch of text.slice(0, MAX_BYTES)) {
    if (Buffer.byteLength(`${out}${ch}…`) > MAX_BYTES) break;
    out += ch;
  }
  return `${out}…`;
}

/** Close codes a peer may send in a close frame; others (1005, 1006, 1015) are mapped. */
export function sendableCode(code: number): number {
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return code === 1005 ? 1000 : 1011;
}
