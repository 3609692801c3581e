// The CLI's one voice: every error and warning line starts with the program name, reads as a
// sentence, uses the product's words ("access key", "revoked", "disabled"), and a usage error ends
// with the --help command for what the user was running, spelled the way they ran it.
import { BIN_NAME } from './invocation';
import type { UsageError } from './usageError';

/** Capitalises the first letter and ends with a full stop, unless it already ends a sentence. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?:]$/.test(first) ? first : `${first}.`;
}

/** Lower layers were written for HTTP clients; on the command line the product says "access key". */
export function productWords(text: string): string {
  return text.replace(/\bAPI key\b/g, 'access key').replace(/\bAPI keys\b/g, 'access keys');
}

export function errorLine(message: string): string {
  return `${BIN_NAME}: ${sentence(productWords(message))}\n`;
}

export function warningLine(message: string): string {
  return `${BIN_NAME}: Warning: ${sentence(productWords(message))}\n`;
}

export function helpCommand(invocation: string, topic = ''): string {
  return [invocation, topic, '--help'].filter(Boolean).join(' ');
}

/** Two lines: what was wrong, and the exact command that shows the usage. */
export function usageErrorText(err: UsageError, invocation: string): string {
  return `${errorLine(err.message)}Run "${helpCommand(invocation, err.topic)}" for usage.\n`;
}
