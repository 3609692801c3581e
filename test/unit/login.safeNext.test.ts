// Where a login may send the browser afterwards: only plain same-origin paths survive safeNextPath.
import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../../main/auth/login/safeNextPath';
import { LEGIT_NEXT, openRedirectPayloads, staysOnOrigin } from '../integration/login.redirectPayloads';

const ORIGIN = 'http://127.0.0.1:8189';

describe('safeNextPath', () => {
  it('keeps legitimate same-origin paths with their query and fragment', () => {
    for (const next of LEGIT_NEXT) expect(safeNextPath(next)).toBe(next);
    expect(safeNextPath('/api/view?filename=%E6%97%A5.png')).toBe('/api/view?filename=%E6%97%A5.png');
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '\\\\evil.example',
    'https:evil.example',
    'http://evil.example',
    'javascript:alert(1)',
    'data:text/html,x',
    '%2F%2Fevil.example',
    '/%2F%2Fevil.example',
    '/%252F%252Fevil.example',
    '/%25252F%25252Fevil.example',
    '/%5Cevil.example',
    '/%09/evil.example',
    '/\t/evil.example',
    '/a\nb',
    '/a\u0000b',
    ' /ok',
    '\t/ok',
    '/a\\b',
    '/@evil.example',
    '/?u=a%40b',
    '/%E3%80%B1evil.example',
    '/\uff0fevil.example',
    '///evil.example',
    '/auth/logout',
    '/AUTH/Logout',
    '/auth/%6Cogout',
    '/auth_login.html?next=/',
    '/%',
    '',
  ])('sends %j to / instead', (raw) => {
    expect(safeNextPath(raw)).toBe('/');
  });

  it('returns / for values that are not strings or are absurdly long', () => {
    expect(safeNextPath(undefined)).toBe('/');
    expect(safeNextPath(null)).toBe('/');
    expect(safeNextPath(['/ok'])).toBe('/');
    expect(safeNextPath(`/${'a'.repeat(5000)}`)).toBe('/');
  });

  it('never returns anything but a same-origin path for the generated open-redirect payloads', () => {
    const payloads = openRedirectPayloads();
    expect(payloads.length).toBeGreaterThanOrEqual(500);
    const escaped = payloads.filter((p) => !staysOnOrigin(safeNextPath(p), ORIGIN));
    expect(escaped).toEqual([]);
  });
});
