// Reads a small JSON request body (readBody.ts: byte cap counted while streaming, stall timeout), so an oversized body
// is refused (413) without ever being held in memory.
import type { IncomingMessage } from 'node:http';
import { CompanionError } from '../common/errors';
import { readBody } from './readBody';

export const DEFAULT_BODY_CAP = 64 * 1024;

/**
 * Resolves to the parsed body, or `undefined` for an empty body. Throws CompanionError
 * `payload_too_large` past `capBytes`, `invalid_request` for malformed JSON, `request_timeout` when the
 * body stalls for `idleMs` (readBody.ts).
 */
export async function readJsonBody(req: IncomingMessage, capBytes = DEFAULT_BODY_CAP, idleMs?: number): Promise<unknown> {
  const text = (await readBody(req, { capBytes, idleMs })).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CompanionError('invalid_request', 'Request body is not valid JSON');
  }
}
