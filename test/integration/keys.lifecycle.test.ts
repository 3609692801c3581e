// The life of an access key through the real proxy: created over the admin API, used, rate
// limited, limit and usage kept across a restart, rotated, revoked, expired.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStackConfig } from '../helpers/proxyHarness';
import { startProxyStack, type ProxyStack } from '../../main/compose/proxyStack';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { request } from '../helpers/http';

const ADMIN = 'lifecycle-admin-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN}` };
let fake: FakeComfy;
let dataDir: string;
let stack: ProxyStack;
let now = Date.UTC(2026, 10, 22, 10, 0, 0);

async function start(): Promise<void> {
  stack = await startProxyStack(testStackConfig(fake.url, dataDir, { adminKey: ADMIN, now: () => now }));
}
const url = (path: string) => `${stack.proxy.url}${path}`;
const asKey = (key: string) => ({ 'x-api-key': key });
const submit = (key: string) =>
  request(url('/prompt'), { method: 'POST', headers: { ...asKey(key), 'content-type': 'application/json' }, body: JSON.stringify({ prompt: {} }) });
type Err = { error: { type: string; message: string } };

beforeAll(async () => {
  fake = await startFakeComfy();
  dataDir = await mkdtemp(join(tmpdir(), 'keys-life-'));
  await start();
});
afterAll(async () => {
  await stack.close(200);
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('access key lifecycle through the proxy', () => {
  let keyId = '';
  let secret = '';

  it('the admin creates a key and gets the secret once, with the seed message', async () => {
    const res = await request(url('/api/keys'), {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Script', rate_limit: 3, metadata: { project: 'p' } }),
    });
    expect(res.status).toBe(200);
    const body = res.json<{ key_id: string; api_key: string; name: string; rate_limit: number; message: string }>();
    expect(body).toMatchObject({ name: 'Script', rate_limit: 3, message: 'API key created. Save this key - it will not be shown again.' });
    expect(body.api_key).toMatch(/^comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}$/);
    expect(body.key_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(res.headers['cache-control']).toBe('no-store');
    ({ key_id: keyId, api_key: secret } = body);
    expect(readFileSync(join(dataDir, 'keys.json'), 'utf8')).not.toContain(secret);
  });

  it('the key works; the 4th job in the hour is refused with 429 and a sane Retry-After', async () => {
    expect((await request(url('/queue'), { headers: asKey(secret) })).headers.ratelimit).toBe('"requests";r=599;t=1');
    for (let i = 0; i < 3; i++) {
      const ok = await submit(secret);
      expect(ok.status).toBe(200);
      expect(ok.headers.ratelimit).toBe(`"jobs";r=${2 - i};t=${(i + 1) * 1200}`);
    }
    const refused = await submit(secret);
    expect(refused.status).toBe(429);
    expect(refused.json<Err>().error.type).toBe('rate_limited');
    expect(refused.json<Err>().error.message).toMatch(/3 jobs per hour/);
    expect(Number(refused.headers['retry-after'])).toBe(1200);
    expect(refused.headers['ratelimit-policy']).toBe('"jobs";q=3;w=3600');
  });

  it('after a restart on the same data dir the key, its spent quota and its usage are still there', async () => {
    now += 5_000; // let the usage reach disk through close()
    await stack.close(200);
    await start();
    const refused = await submit(secret);
    expect(refused.status).toBe(429);
    const usage = await request(url('/api/usage'), { headers: admin });
    const all = usage.json<{ keys: { key_id: string; key_name: string; requests_in_window: number; remaining: number; usage_stats: { total_requests: number; successful_requests: number; failed_requests: number } }[] }>();
    const mine = all.keys.find((k) => k.key_id === keyId);
    // The two 429s (before and after the restart) count as the key's failed requests.
    expect(mine).toMatchObject({ key_name: 'Script', requests_in_window: 3, remaining: 0, usage_stats: { total_requests: 6, successful_requests: 4, failed_requests: 2 } });
    const listed = (await request(url('/api/keys'), { headers: admin })).json<{ keys: { key_id: string; last_used: number | null }[] }>();
    expect(listed.keys.find((k) => k.key_id === keyId)?.last_used).toBe(now / 1000);
  });

  it('20 minutes later one more request is allowed, and the key sees its own usage', async () => {
    now += 20 * 60_000;
    const res = await request(url('/api/usage?days=7'), { headers: asKey(secret) });
    expect(res.status).toBe(200);
    const body = res.json<Record<string, unknown> & { usage_stats: Record<string, unknown> }>();
    expect(Object.keys(body).sort()).toEqual(
      ['key_id', 'key_name', 'last_used', 'rate_limit', 'remaining', 'requests_in_window', 'reset_at', 'usage_stats', 'window_s'].sort(),
    );
    expect(body).toMatchObject({ key_id: keyId, rate_limit: 3, window_s: 3600, remaining: 1 });
    expect(Object.keys(body.usage_stats).sort()).toEqual(
      // The seed's fields plus jobs, GPU seconds and every day of the window (SPEC §11).
      ['average_duration', 'cloud_jobs', 'days', 'failed_requests', 'gpu_seconds', 'jobs', 'requests_per_day', 'successful_requests', 'total_duration', 'total_requests'].sort(),
    );
    expect(body.usage_stats.requests_per_day).toEqual({ '2026-11-22': 6 });
    expect(body.usage_stats).toMatchObject({ gpu_seconds: 0, jobs: { total: 0, success: 0, failed: 0, interrupted: 0 } });
    expect((body.usage_stats.days as { date: string; requests: number }[]).map((d) => [d.date, d.requests]).at(-1)).toEqual(['2026-11-22', 6]);
    expect(body.usage_stats.days).toHaveLength(7);
  });

  it('rotation: the old secret is refused, the new one works, same id', async () => {
    now += 3_600_000;
    const res = await request(url(`/api/keys/${keyId}/rotate`), { method: 'POST', headers: admin });
    expect(res.status).toBe(200);
    const body = res.json<{ key_id: string; api_key: string }>();
    expect(body.key_id).toBe(keyId);
    expect((await request(url('/queue'), { headers: asKey(secret) })).status).toBe(401);
    expect((await request(url('/queue'), { headers: asKey(body.api_key) })).status).toBe(200);
    secret = body.api_key;
  });

  it('a revoked key is refused on its next request, saying it was revoked', async () => {
    const del = await request(url(`/api/keys/${keyId}`), { method: 'DELETE', headers: admin });
    expect(del.status).toBe(200);
    expect(del.json<{ is_active: boolean }>().is_active).toBe(false);
    const res = await request(url('/queue'), { headers: asKey(secret) });
    expect(res.status).toBe(401);
    expect(res.json<Err>().error.message).toMatch(/revoked/);
  });

  it('an expired key is refused, saying when it expired', async () => {
    const created = await request(url('/api/keys'), {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'short', expires_at: now / 1000 + 60 }),
    });
    const { api_key } = created.json<{ api_key: string }>();
    expect((await request(url('/queue'), { headers: asKey(api_key) })).status).toBe(200);
    now += 61_000;
    const res = await request(url('/queue'), { headers: asKey(api_key) });
    expect(res.status).toBe(401);
    expect(res.json<Err>().error.message).toMatch(/expired at \d{4}-/);
  });
});
