// Reads the body of POST /auth/login: JSON (`{api_key, remember?, next?}`, from the page's script) or an
// HTML form (application/x-www-form-urlencoded, the same page without JavaScript). Small, capped, strict.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { z } from 'zod';
import { CompanionError } from '../../common/errors';
import { readBody } from '../../http/readBody';
import { readJsonBody } from '../../http/readJsonBody';

export const LOGIN_BODY_CAP = 8 * 1024;

export interface LoginRequest {
  apiKey: string;
  remember: boolean;
  next: string | null;
}

export type LoginBodyKind = 'json' | 'form';

export function loginBodyKind(headers: IncomingHttpHeaders): LoginBodyKind | null {
  const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return null;
}

const jsonSchema = z.strictObject({
  api_key: z.string().max(1024),
  remember: z.boolean().optional(),
  next: z.string().max(4096).optional(),
});

const FORM_FIELDS = new Set(['api_key', 'remember', 'next']);

/** Throws CompanionError `invalid_request` (naming the problem) or `payload_too_large`. */
export async function readLoginBody(req: IncomingMessage, kind: LoginBodyKind, capBytes = LOGIN_BODY_CAP, idleMs?: number): Promise<LoginRequest> {
  return kind === 'json' ? parseJson(await readJsonBody(req, capBytes, idleMs)) : parseForm(await readText(req, capBytes, idleMs));
}

function parseJson(body: unknown): LoginRequest {
  if (body === undefined) throw new CompanionError('invalid_request', 'Request body is empty; send {"api_key": "..."}');
  const parsed = jsonSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') throw new CompanionError('invalid_request', `Unknown field "${issue.keys[0] ?? ''}"`);
    const field = issue?.path.join('.') ?? '';
    throw new CompanionError('invalid_request', field ? `Invalid field "${field}": ${issue?.message ?? 'wrong type'}` : 'Request body must be a JSON object');
  }
  return { apiKey: parsed.data.api_key.trim(), remember: parsed.data.remember ?? false, next: parsed.data.next ?? null };
}

function parseForm(text: string): LoginRequest {
  const params = new URLSearchParams(text);
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (!FORM_FIELDS.has(name)) throw new CompanionError('invalid_request', `Unknown field "${name.slice(0, 40)}"`);
    if (seen.has(name)) throw new CompanionError('invalid_request', `Field "${name}" was sent twice`);
    seen.add(name);
  }
  const remember = params.get('remember');
  if (remember !== null && !['true', 'on', '1', 'false', '0', ''].includes(remember)) {
    throw new CompanionError('invalid_request', 'Invalid field "remember": expected true or false');
  }
  return {
    apiKey: (params.get('api_key') ?? '').trim(),
    remember: remember === 'true' || remember === 'on' || remember === '1',
    next: params.get('next'),
  };
}

async function readText(req: IncomingMessage, capBytes: number, idleMs?: number): Promise<string> {
  return (await readBody(req, { capBytes, idleMs })).toString('utf8');
}
