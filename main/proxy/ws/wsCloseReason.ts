// A WebSocket close frame carries at most 123 bytes of reason (RFC 6455 §5.5; `ws` throws beyond that). Our
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
