// Reads a small JSON request body with a byte cap counted while streaming, so an oversized body
// is refused (413) without ever being held in memory.
import type { IncomingMessage } from 'node:http';
import { CompanionError } from '../errors';

export const DEFAULT_BODY_CAP = 64 * 1024;

/**
 * Resolves to the parsed body, or `undefined` for an empty body. Throws CompanionError
 * `payload_too_large` past `capBytes` and `invalid_request` for malformed JSON.
 */
export async function readJsonBody(req: IncomingMessage, capBytes = DEFAULT_BODY_CAP): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > capBytes) throw tooLarge(req, capBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn false: leaving the loop early must not destroy the socket the 413 goes out on.
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > capBytes) throw tooLarge(req, capBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CompanionError('invalid_request', 'Request body is not valid JSON');
  }
}

function tooLarge(req: IncomingMessage, capBytes: number): CompanionError {
  // Stop buffering; let the rest drain to nowhere so the 413 can still be delivered.
  req.resume();
  return new CompanionError('payload_too_large', `Request body is larger than ${capBytes} bytes`);
}
