// Access-key format: generation, offline well-formedness check (checksum), and hashing.
//
// Format (56 characters):  comfy_<body>_<check>
//   comfy_   fixed prefix, makes leaked keys easy to scan for (regex KEY_PATTERN)
//   <body>   43 URL-safe base64 characters = 32 random bytes (256 bits)
//   _        separator
//   <check>  6 URL-safe base64 characters: the first 6 of base64url(SHA-256("comfy_" + body))
// The checksum lets a mistyped or truncated key be rejected without a store lookup. Because the
// body may itself contain "_", the parts are located by fixed length, not by splitting.
// crypto.hash: the one-shot form, cheaper than createHash() for a key-sized input (on every request).
import { hash, randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'comfy_';
const BODY_LEN = 43;
const CHECK_LEN = 6;
export const KEY_LENGTH = KEY_PREFIX.length + BODY_LEN + 1 + CHECK_LEN;

/** Matches a well-formed access key anywhere in a text (for leak scanners). */
export const KEY_PATTERN = /comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}/g;
const WHOLE_KEY = /^comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/;
const KEY_ID = /^[A-Za-z0-9_-]{22}$/;

function checksum(prefixAndBody: string): string {
  return hash('sha256', prefixAndBody, 'base64url').slice(0, CHECK_LEN);
}

/** A new random access key. Shown to the user once, then only its hash is kept. */
export function generateKey(): string {
  const head = KEY_PREFIX + randomBytes(32).toString('base64url');
  return `${head}_${checksum(head)}`;
}

/** A new random key id (16 random bytes, 22 URL-safe characters). */
/** 22 base64url characters, never starting with '-' (a CLI argument like `keys rotate -N7d…` reads as an option). */
export function generateKeyId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function isWellFormedKeyId(s: string): boolean {
  return KEY_ID.test(s);
}

/** True when `s` has the access-key shape (prefix, lengths, alphabet); the checksum is not checked. */
export function hasKeyShape(s: string): boolean {
  return s.length === KEY_LENGTH && WHOLE_KEY.test(s);
}

/** True when `s` has the access-key shape and its checksum matches. No store lookup. */
export function isWellFormedKey(s: string): boolean {
  if (!hasKeyShape(s)) return false;
  const head = s.slice(0, KEY_PREFIX.length + BODY_LEN);
  const check = s.slice(KEY_LENGTH - CHECK_LEN);
  // Not secret-dependent in a useful way (the checksum is public), so a plain compare is fine.
  return checksum(head) === check;
}

/**
 * SHA-256 of the whole key. A fast hash is right here: keys carry 256 random bits, so there is
 * nothing to brute-force, and a slow KDF (bcrypt/scrypt) on every request would only cost latency.
 */
export function hashKey(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}
