// The words the login page and POST /auth/login use, in one table so the JavaScript path (inline
// error from JSON) and the no-JavaScript path (redirect back with ?error=code) say the same thing.
import type { AuthOutcome } from '../../common/principal';

export type LoginErrorCode = 'missing' | 'invalid' | 'malformed' | 'revoked' | 'rotated' | 'expired' | 'throttled' | 'origin' | 'bad_request';

const ERRORS: Record<LoginErrorCode, string> = {
  missing: 'Enter your access key.',
  invalid: 'That key was not recognised. Check that you copied all of it.',
  malformed: 'That does not look like a complete key. Check that you copied all of it.',
  revoked: 'This key has been revoked. Log in with another key, or ask whoever runs this ComfyUI for one.',
  rotated: 'This key was replaced by a newer one (rotated). Log in with the new key.',
  expired: 'This key has expired. Log in with another key, or ask for a new one.',
  throttled: 'Too many failed attempts. Try again in {n} s.',
  origin: 'This login did not come from this page. Reload the page and try again.',
  bad_request: 'The login form was incomplete. Reload the page and try again.',
};

export type LoginHint = 'revoked' | 'expired' | 'logged_out';

const HINTS: Record<LoginHint, string> = {
  revoked: 'You were logged out because the key you used was revoked or replaced.',
  expired: 'You were logged out because the key you used has expired.',
  logged_out: 'You have been logged out.',
};

export function isLoginErrorCode(value: string | null): value is LoginErrorCode {
  return value !== null && Object.hasOwn(ERRORS, value);
}

export function loginErrorMessage(code: LoginErrorCode, retryAfterS?: number): string {
  return ERRORS[code].replace('{n}', String(Math.max(1, Math.round(retryAfterS ?? 60))));
}

export function loginHint(value: string | null): string | null {
  return value !== null && Object.hasOwn(HINTS, value) ? HINTS[value as LoginHint] : null;
}

/** Maps a refused key to the code the user sees. */
export function failureCode(outcome: Extract<AuthOutcome, { ok: false }>): LoginErrorCode {
  switch (outcome.reason) {
    case 'malformed':
      return 'malformed';
    case 'expired':
      return 'expired';
    case 'revoked':
      return /rotated/i.test(outcome.message) ? 'rotated' : 'revoked';
    default:
      return 'invalid';
  }
}
