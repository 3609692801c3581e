import { describe, expect, it } from 'vitest';
import { closeReason } from '../../main/proxy/ws/wsCloseReason';

describe('closeReason', () => {
  it('keeps a short reason as it is', () => {
    expect(closeReason('revoked')).toBe('revoked');
  });

  it('cuts a long non-ASCII reason to at most 123 bytes, at a character, marked with an ellipsis', () => {
    const long = `The key "${'é'.repeat(80)}" was revoked by the admin.`;
    const cut = closeReason(long);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(123);
    expect(cut.endsWith('…')).toBe(true);
    expect(long.startsWith(cut.slice(0, -1))).toBe(true);
    expect(cut).not.toContain('\uFFFD');
  });
});
