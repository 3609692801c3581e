// The Comfy Cloud client against a local fake cloud: key validation, server error messages,
// retries with backoff and Retry-After, give-up bounds, timeouts, bad JSON, offline, cancellation.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudClient, type CloudClientOptions, type RetryNotice } from '../../main/cloud/cloudClient';
import { backoffDelay, parseRetryAfter } from '../../main/cloud/retryPolicy';
import { CompanionError } from '../../main/common/errors';
import { startFakeCloud, type FakeCloud } from '../fixtures/fakeCloud';

const KEY = 'comfyui-TestKey0123456789abcdefXYZ';
let cloud: FakeCloud;
beforeEach(async () => {
  cloud = await startFakeCloud();
  cloud.accounts.set(KEY, { id: 'acct_1', email: 'ada@example.com', name: 'Ada' });
});
afterEach(async () => {
  await cloud.close();
});

/** A client whose clock only moves when it "sleeps", and whose sleeps are recorded, not waited. */
function testClient(extra: CloudClientOptions = {}) {
  let now = Date.UTC(2026, 0, 1);
  const sleeps: number[] = [];
  const client = new CloudClient({
    now: () => now,
    random: () => 0.5,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
    billingBaseUrl: cloud.billingUrl,
    ...extra,
  });
  return { client, sleeps, now: () => now };
}
const custom = () => ({ environment: 'custom' as const, customBaseUrl: cloud.baseUrl });
async function caught(p: Promise<unknown>): Promise<CompanionError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(CompanionError);
  return err as CompanionError;
}

describe('validating a cloud key', () => {
  it('a valid key returns the account, sent as a Bearer token to GET {base}/account', async () => {
    const account = await testClient().client.validate(KEY, custom());
    expect(account).toMatchObject({ id: 'acct_1', email: 'ada@example.com', name: 'Ada', plan: 'pro' });
    expect(cloud.received).toHaveLength(1);
    expect(cloud.received[0]).toMatchObject({ method: 'GET', path: '/developer/api/v1/account' });
    expect(cloud.received[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('an unknown key is unauthorized with the server’s own message', async () => {
    const err = await caught(testClient().client.validate('comfyui-NotAKnownKey0123456789', custom()));
    expect(err.code).toBe('unauthorized');
    expect(err.message).toBe('Invalid or expired API key');
  });

  it('a server message that echoes the key shows only its masked hint', async () => {
    cloud.script('/account', { status: 401, json: { error: { type: 'unauthorized', message: `Key ${KEY} was revoked` } } });
    const err = await caught(testClient().client.validate(KEY, custom()));
    expect(err.message).not.toContain(KEY);
    expect(err.message).toContain('comfyui-Te…fXYZ');
  });

  it.each([
    ['comfy_notacloudkey0123456789abcdef', 'must start with "comfyui-"'],
    ['comfyui-short', 'truncated or mistyped'],
    ['comfyui-has spaces inside0123456789', 'truncated or mistyped'],
    [` ${KEY}`, 'spaces around it'],
    ['', 'Enter a Comfy API key'],
  ])('a mis-shaped key (%j) is refused before any request, without echoing it', async (key, words) => {
    const err = await caught(testClient().client.validate(key, custom()));
    expect(err.code).toBe('invalid_request');
    expect(err.message).toContain(words);
    if (key.trim()) expect(err.message).not.toContain(key.trim());
    expect(cloud.received).toHaveLength(0);
  });

  it('production and staging use the documented base URLs', async () => {
    const urls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(JSON.stringify({ id: 'x' }), { status: 200 });
    };
    const { client } = testClient({ fetch: fakeFetch });
    await client.validate(KEY, 'production');
    await client.validate(KEY, 'staging');
    expect(urls).toEqual([
      'https://cloud.comfy.org/developer/api/v1/account',
      'https://stagingcloud.comfy.org/developer/api/v1/account',
    ]);
  });

  it('a custom base URL must be https unless it is loopback', async () => {
    const err = await caught(testClient().client.validate(KEY, { environment: 'custom', customBaseUrl: 'http://cloud.example.com/v1' }));
    expect(err.code).toBe('invalid_request');
    expect(err.message).toContain('must use https');
    await caught(testClient().client.validate(KEY, { environment: 'custom' }));
  });
});

describe('retries', () => {
  it('429 with Retry-After (seconds) waits that long, tells the UI, then succeeds', async () => {
    cloud.script('/account', { status: 429, headers: { 'retry-after': '3' }, json: { error: { type: 'rate_limited', message: 'slow down' } } });
    const { client, sleeps } = testClient();
    const notices: RetryNotice[] = [];
    const account = await client.validate(KEY, custom(), { onRetry: (n) => notices.push(n) });
    expect(account.id).toBe('acct_1');
    expect(sleeps).toEqual([3000]);
    expect(notices).toEqual([{ attempt: 1, delayMs: 3000, status: 429 }]);
    expect(cloud.received).toHaveLength(2);
  });

  it('Retry-After as an HTTP date is honoured relative to the injected clock', async () => {
    const { client, sleeps, now } = testClient();
    cloud.script('/account', { status: 429, headers: { 'retry-after': new Date(now() + 5000).toUTCString() } });
    await client.validate(KEY, custom());
    expect(sleeps).toEqual([5000]);
  });

  it('503 three times: exponential backoff with full jitter, then gives up with a clear error', async () => {
    cloud.script('/account', { status: 503 }, { status: 503 }, { status: 503 });
    const { client, sleeps } = testClient({ retry: { maxAttempts: 3, baseDelayMs: 500 } });
    const notices: RetryNotice[] = [];
    const err = await caught(client.validate(KEY, custom(), { onRetry: (n) => notices.push(n) }));
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('answered 503 on 3 tries');
    expect(cloud.received).toHaveLength(3);
    // random() = 0.5 → half of 500·2^(n-1)
    expect(sleeps).toEqual([250, 500]);
    expect(notices.map((n) => n.attempt)).toEqual([1, 2]);
  });

  it('a Retry-After longer than the total time budget gives up at once, passing the wait on', async () => {
    cloud.script('/account', { status: 429, headers: { 'retry-after': '120' }, json: { error: { type: 'rate_limited', message: 'quota' } } });
    const { client, sleeps } = testClient({ retry: { maxTotalMs: 30_000 } });
    const err = await caught(client.validate(KEY, custom()));
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfter).toBe(120);
    expect(err.message).toContain('quota');
    expect(sleeps).toEqual([]);
    expect(cloud.received).toHaveLength(1);
  });

  it('400-class answers other than 429 are not retried', async () => {
    cloud.script('/account', { status: 400, json: { error: { type: 'invalid_request', message: 'bad header' } } });
    const err = await caught(testClient().client.validate(KEY, custom()));
    expect(err.code).toBe('invalid_request');
    expect(err.message).toContain('bad header');
    expect(cloud.received).toHaveLength(1);
  });

  it('backoff numbers: full jitter under a doubling, capped ceiling; Retry-After is a floor', () => {
    const policy = { maxAttempts: 10, maxTotalMs: 1e9, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, () => 0.999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(policy, 1, () => 0)).toBe(0);
    expect(backoffDelay(policy, 1, () => 0.5, 2000)).toBe(2000);
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
  });
});

describe('failures that are not HTTP errors', () => {
  it('a server that never answers produces a timeout error', async () => {
    cloud.script('/account', { hang: true });
    const err = await caught(testClient({ timeoutMs: 100 }).client.validate(KEY, custom()));
    expect(err.code).toBe('timeout');
  });

  it('a 200 with malformed JSON is a clear error, not a crash', async () => {
    cloud.script('/account', { raw: '{"id": "acct_1",' });
    const err = await caught(testClient().client.validate(KEY, custom()));
    expect(err.code).toBe('upstream_unavailable');
    expect(err.message).toContain('not valid JSON');
  });

  it('nothing listening is reported as offline', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await caught(testClient().client.validate(KEY, { environment: 'custom', customBaseUrl: `http://127.0.0.1:${port}/v1` }));
    expect(err.code).toBe('offline');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('cancelling during a hung request stops it with a cancelled error', async () => {
    cloud.script('/account', { hang: true });
    const controller = new AbortController();
    const pending = testClient({ timeoutMs: 60_000 }).client.validate(KEY, custom(), { signal: controller.signal });
    await waitFor(() => cloud.received.length === 1);
    controller.abort();
    expect((await caught(pending)).code).toBe('cancelled');
  });

  it('cancelling while waiting to retry stops the retries', async () => {
    cloud.script('/account', { status: 503 }, { status: 503 });
    const controller = new AbortController();
    const client = new CloudClient({
      random: () => 0.5,
      sleep: async (_ms, signal) => {
        controller.abort(); // the user presses Cancel during the wait
        if (signal?.aborted) throw signal.reason;
      },
    });
    const err = await caught(client.validate(KEY, custom(), { signal: controller.signal }));
    expect(err.code).toBe('cancelled');
    expect(cloud.received).toHaveLength(1);
  });
});

describe('credits', () => {
  it('reads amount_micros and currency with the key in X-API-KEY', async () => {
    cloud.balances.set(KEY, { amount_micros: 1_250_000, currency: 'usd' });
    const credits = await testClient().client.credits(KEY);
    expect(credits).toEqual({ amountMicros: 1_250_000, currency: 'usd' });
    const req = cloud.received[0]!;
    expect(req.path).toBe('/customers/balance');
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.headers.authorization).toBeUndefined();
  });

  it('a balance reply without the documented fields is an error', async () => {
    cloud.script('/customers/balance', { json: { balance: 3 } });
    expect((await caught(testClient().client.credits(KEY))).message).toContain('amount_micros');
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}
