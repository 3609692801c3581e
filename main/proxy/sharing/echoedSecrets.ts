// Comfy credentials that older ComfyUI versions echo back (SPEC §8.8): a queue item's or history entry's
// extra_data keeps `api_key_comfy_org` / `auth_token_comfy_org` as the job was queued with. The proxy removes them
// from the /queue and /history answers it relays; an answer that cannot hold one is relayed without being read.

const SECRET_FIELDS = ['api_key_comfy_org', 'auth_token_comfy_org'] as const;
const FIELD_BYTES = SECRET_FIELDS.map((f) => Buffer.from(f));
/**
 * A JSON string may spell a letter as an escape (`api\u005fkey…` reads as `api_key…`). ComfyUI's json.dumps escapes
 * only non-ASCII and control characters, but a parser would read such a spelling all the same, so an escape of an
 * ASCII letter or `_` (U+005F to U+007A; the hex digits after `\u00` are then 5, 6 or 7) sends the answer the careful way.
 */
const ESCAPED_LETTER = [Buffer.from('\\u005'), Buffer.from('\\u006'), Buffer.from('\\u007')];

/**
 * Whether a raw JSON answer could carry a Comfy credential: one of the field names, an escaped letter that could
 * spell one, or the app's cloud key itself. False means relaying the bytes as they are gives away nothing; true
 * means the answer must be parsed and scrubbed (a few false alarms cost only that).
 */
export function mayHoldSecret(raw: Buffer, cloudKey: string | null): boolean {
  for (const f of FIELD_BYTES) if (raw.includes(f)) return true;
  for (const e of ESCAPED_LETTER) if (raw.includes(e)) return true;
  return cloudKey !== null && cloudKey !== '' && raw.includes(cloudKey);
}

/**
 * Removes the Comfy credentials older ComfyUI versions echo in a queue item's or history entry's
 * extra_data ([number, prompt_id, prompt, extra_data, outputs]); nobody needs them echoed.
 */
export function scrubQueueItem(item: unknown): unknown {
  if (!Array.isArray(item) || typeof item[3] !== 'object' || item[3] === null) return item;
  const extra = { ...(item[3] as Record<string, unknown>) };
  for (const f of SECRET_FIELDS) delete extra[f];
  const copy = [...item];
  copy[3] = extra;
  return copy;
}

