import { describe, expect, it } from 'vitest';
import { KEY_LENGTH, KEY_PATTERN, generateKey, generateKeyId, hashKey, isWellFormedKey, isWellFormedKeyId } from '../../main/keys/keyFormat';

describe('access key format', () => {
  it('a new key is comfy_ + 43 url-safe chars + _ + 6-char checksum, and passes its own check', () => {
    const key = generateKey();
    expect(key).toMatch(/^comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/);
    expect(key).toHaveLength(KEY_LENGTH);
    expect(isWellFormedKey(key)).toBe(true);
  });

  it('keys are unique', () => {
    const keys = new Set(Array.from({ length: 200 }, generateKey));
    expect(keys.size).toBe(200);
  });

  it('a mistyped character anywhere in the key is caught without a lookup', () => {
    const key = generateKey();
    let caught = 0;
    for (let i = 'comfy_'.length; i < key.length; i++) {
      if (key[i] === '_' && i === key.length - 7) continue; // separator position
      const swapped = key[i] === 'A' ? 'B' : 'A';
      const typo = key.slice(0, i) + swapped + key.slice(i + 1);
      if (!isWellFormedKey(typo)) caught++;
    }
    // 6 base64 chars of SHA-256 = 36 bits: a single typo slipping through is a 1-in-68-billion event.
    expect(caught).toBe(key.length - 'comfy_'.length - 1);
  });

  it('truncated, padded, wrong-prefix and non-string-like inputs are malformed', () => {
    const key = generateKey();
    for (const bad of [key.slice(0, -1), `${key}x`, key.replace('comfy_', 'comfx_'), '', 'comfy_', ` ${key}`, key.toUpperCase()]) {
      expect(isWellFormedKey(bad)).toBe(false);
    }
  });

  it('a leaked key can be found in text by the published pattern', () => {
    const key = generateKey();
    const text = `config:\n  token: "${key}"\n`;
    expect(text.match(KEY_PATTERN)).toEqual([key]);
  });

  it('key ids are 22 url-safe characters', () => {
    const id = generateKeyId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(isWellFormedKeyId(id)).toBe(true);
    expect(isWellFormedKeyId(`${id}x`)).toBe(false);
  });

  it('the hash is SHA-256: 32 bytes, stable, different per key', () => {
    const a = generateKey();
    expect(hashKey(a)).toHaveLength(32);
    expect(hashKey(a).equals(hashKey(a))).toBe(true);
    expect(hashKey(a).equals(hashKey(generateKey()))).toBe(false);
  });
});

describe('key ids', () => {
  it('never start with "-", so `keys rotate <id>` never reads one as an option', () => {
    for (let i = 0; i < 2000; i++) {
      const id = generateKeyId();
      expect(id.startsWith('-')).toBe(false);
      expect(isWellFormedKeyId(id)).toBe(true);
    }
  });
});
