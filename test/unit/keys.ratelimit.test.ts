import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyRateLimiter, rateLimitHeaders } from '../../main/keys/rateLimiter';

const HOUR = 3_600_000;
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'keys-rl-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('per-key hourly rate limit', () => {
  it('allows the hourly quota, refuses the next request with a sane Retry-After', () => {
    const rl = new KeyRateLimiter();
    const t0 = 1_000_000_000_000;
    const decisions = [0, 1, 2].map((i) => rl.take('k', 3, HOUR, t0 + i));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0]);
    const fourth = rl.take('k', 3, HOUR, t0 + 3);
    expect(fourth.allowed).toBe(false);
    expect(fourth.remaining).toBe(0);
    // One request refills every 20 minutes at 3/hour.
    expect(fourth.retryAfterS).toBe(1200);
    expect(fourth.resetS).toBe(3600);
    expect(fourth.limit).toBe(3);
    expect(fourth.windowS).toBe(3600);
  });

  it('a refused request does not use quota; the request after Retry-After succeeds', () => {
    const rl = new KeyRateLimiter();
    const t0 = 5_000;
    for (let i = 0; i < 3; i++) rl.take('k', 3, HOUR, t0);
    const refused = rl.take('k', 3, HOUR, t0 + 1000);
    expect(rl.take('k', 3, HOUR, t0 + 1000 + refused.retryAfterS * 1000 - 2000).allowed).toBe(false);
    expect(rl.take('k', 3, HOUR, t0 + refused.retryAfterS * 1000 + 1000).allowed).toBe(true);
  });

  it('no 2x burst across an hour boundary: a full quota used just before the hour leaves nothing just after it', () => {
    const rl = new KeyRateLimiter();
    const boundary = 10 * HOUR;
    let allowedBefore = 0;
    for (let i = 0; i < 100; i++) if (rl.take('k', 100, HOUR, boundary - 100 + i).allowed) allowedBefore++;
    let allowedAfter = 0;
    for (let i = 0; i < 100; i++) if (rl.take('k', 100, HOUR, boundary + 100 + i).allowed) allowedAfter++;
    expect(allowedBefore).toBe(100);
    expect(allowedAfter).toBe(0);
    // And over the whole next hour, only the steady refill (one every 36 s) gets through.
    let allowedInHour = 0;
    for (let t = boundary; t < boundary + HOUR; t += 1000) if (rl.take('k', 100, HOUR, t).allowed) allowedInHour++;
    expect(allowedInHour).toBeLessThanOrEqual(100);
    expect(allowedInHour).toBeGreaterThanOrEqual(98);
  });

  it('keys are limited independently', () => {
    const rl = new KeyRateLimiter();
    rl.take('a', 1, HOUR, 0);
    expect(rl.take('a', 1, HOUR, 1).allowed).toBe(false);
    expect(rl.take('b', 1, HOUR, 1).allowed).toBe(true);
  });

  it('peek reports the state without using quota', () => {
    const rl = new KeyRateLimiter();
    rl.take('k', 10, HOUR, 0);
    expect(rl.peek('k', 10, HOUR, 0).remaining).toBe(9);
    expect(rl.peek('k', 10, HOUR, 0).remaining).toBe(9);
    expect(rl.peek('fresh', 10, HOUR, 0)).toMatchObject({ allowed: true, remaining: 10, resetS: 0 });
  });

  it('state survives a restart on the same data dir', () => {
    const dir = tempDir();
    const now = 50 * HOUR;
    const first = new KeyRateLimiter({ dataDir: dir, flushIntervalMs: 0, now: () => now });
    for (let i = 0; i < 3; i++) first.take('k', 3, HOUR, now);
    first.close();
    const second = new KeyRateLimiter({ dataDir: dir, flushIntervalMs: 0, now: () => now });
    expect(second.take('k', 3, HOUR, now + 1000).allowed).toBe(false);
    second.close();
  });

  it('headers use the draft structured-field form; Retry-After only when refused', () => {
    const rl = new KeyRateLimiter();
    const ok = rateLimitHeaders(rl.take('k', 2, HOUR, 0));
    const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower(ok)).toEqual({ 'ratelimit-policy': '"default";q=2;w=3600', ratelimit: '"default";r=1;t=1800' });
    rl.take('k', 2, HOUR, 0);
    const refused = lower(rateLimitHeaders(rl.take('k', 2, HOUR, 0)));
    expect(refused.ratelimit).toBe('"default";r=0;t=3600');
    expect(refused['retry-after']).toBe('1800');
  });
});
