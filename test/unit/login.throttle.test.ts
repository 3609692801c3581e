// Failed logins from one address are throttled: five per minute, then 429 until the oldest ages out.
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../main/auth/login/loginThrottle';

function setup() {
  let now = 1_000_000;
  const throttle = new LoginThrottle({ maxFailures: 5, windowMs: 60_000, now: () => now });
  return { throttle, advance: (ms: number) => (now += ms) };
}

describe('login throttle', () => {
  it('allows four failures, refuses after the fifth, and says how long to wait', () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < 4; i++) {
      expect(throttle.fail('127.0.0.1')).toEqual({ allowed: true });
      advance(1000);
    }
    expect(throttle.fail('127.0.0.1')).toEqual({ allowed: false, retryAfterS: 56 });
    expect(throttle.check('127.0.0.1')).toEqual({ allowed: false, retryAfterS: 56 });
    advance(55_000);
    expect(throttle.check('127.0.0.1')).toEqual({ allowed: false, retryAfterS: 1 });
    advance(1000);
    expect(throttle.check('127.0.0.1')).toEqual({ allowed: true });
  });

  it('counts each client address separately', () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i++) throttle.fail('127.0.0.1');
    expect(throttle.check('127.0.0.1').allowed).toBe(false);
    expect(throttle.check('::1').allowed).toBe(true);
  });

  it('forgets failures after a successful login', () => {
    const { throttle } = setup();
    for (let i = 0; i < 4; i++) throttle.fail('127.0.0.1');
    throttle.succeed('127.0.0.1');
    for (let i = 0; i < 4; i++) expect(throttle.fail('127.0.0.1').allowed).toBe(true);
  });

  it('bounds memory by forgetting the least recently failing address', () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxFailures: 1, windowMs: 60_000, now: () => now, maxClients: 2 });
    throttle.fail('a');
    now += 1;
    throttle.fail('b');
    now += 1;
    throttle.fail('c');
    expect(throttle.check('a').allowed).toBe(true);
    expect(throttle.check('b').allowed).toBe(false);
    expect(throttle.check('c').allowed).toBe(false);
  });
});
