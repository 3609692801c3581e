// A hung or slow upstream never hangs the proxy (SPEC §9): 504 upstream_timeout after --upstream-timeout,
// stalled uploads and downloads are cut, and one key's hung requests (300 of them) neither delay another
// key nor /health, because each principal has its own 32 slots and its own queue. Real sockets throughout:
// a raw TCP server that never answers, and an HTTP front that hangs some paths in front of the fake ComfyUI.
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main as cli } from '../../main/cli/cli';
import { startProxyStack, type ProxyStack, type ProxyStackConfig } from '../../main/compose/proxyStack';
import { startFakeComfy } from '../fixtures/fakeComfy';
import { startSilentServer, startStallingFront } from '../fixtures/stallingUpstream';
import { request, type HttpResult } from '../helpers/http';
import { ADMIN_KEY, testStackConfig } from '../helpers/proxyHarness';

type Err = { error: { type: string; message: string } };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function proxyIn(front: string, extra: Partial<ProxyStackConfig> = {}): Promise<ProxyStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cac-faults-'));
  const stack = await startProxyStack(testStackConfig(front, dataDir, extra));
  cleanups.push(async () => {
    await stack.close(200);
    await rm(dataDir, { recursive: true, force: true });
  });
  return stack;
}

async function fakeBehindFront() {
  const fake = await startFakeComfy();
  const front = await startStallingFront(fake.url);
  cleanups.push(() => fake.close(), () => front.close());
  return { fake, front };
}

const admin = { authorization: `Bearer ${ADMIN_KEY}` };

/** Polls a condition every 10 ms; the deadline (20 s) is far above the expected few milliseconds. */
async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('an upstream that accepts and never answers', () => {
  it('gets 504 upstream_timeout after --upstream-timeout, as JSON and as a page for a navigation', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const stack = await proxyIn(silent.url, { upstreamTimeoutMs: 300 });
    const res = await request(`${stack.proxy.url}/system_stats`, { headers: admin });
    expect(res.status).toBe(504);
    const { error } = res.json<Err>();
    expect(error.type).toBe('upstream_timeout');
    expect(error.message).toContain(silent.url);
    expect(silent.connections).toBeGreaterThan(0);

    const page = await request(`${stack.proxy.url}/queue`, { headers: { ...admin, accept: 'text/html', 'sec-fetch-mode': 'navigate' } });
    expect(page.status).toBe(504);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('did not answer');
  });

  it('the CLI documents --upstream-timeout and refuses a bad value with exit 2', async () => {
    const out: string[] = [];
    expect(await cli(['--help'], { out: (s) => out.push(s), err: () => {} })).toBe(0);
    expect(out.join('')).toMatch(/--upstream-timeout SECS/);
    const err: string[] = [];
    const code = await cli(['--upstream-timeout', 'soon'], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--upstream-timeout takes a number of seconds/);
  });
});

describe('fair per-principal in-flight limits', () => {
  it('300 hung requests of one key hold only its own 32 slots: another key and /health answer first', async () => {
    const { front } = await fakeBehindFront();
    const stack = await proxyIn(front.url);
    const greedy = await stack.keys.store.create({ name: 'greedy', rate_limit: 100_000 });
    const other = await stack.keys.store.create({ name: 'other' });
    const base = stack.proxy.url;

    let hungAnswered = 0;
    const hung: Promise<HttpResult | null>[] = [];
    for (let i = 0; i < 300; i++) {
      hung.push(
        request(`${base}/object_info?hang-${i}`, { headers: { authorization: `Bearer ${greedy.secret}` } }).then(
          (r) => {
            hungAnswered++;
            return r;
          },
          () => null, // reset when the test tears the proxy down
        ),
      );
    }
    await front.waitForHanging(32);
    await until(() => stack.proxy.inFlight().waiting === 268);

    const otherKey = await request(`${base}/system_stats`, { headers: { authorization: `Bearer ${other.secret}` } });
    const health = await request(`${base}/health`);
    const adminCall = await request(`${base}/queue`, { headers: admin });
    expect(otherKey.status).toBe(200);
    expect(health.status).toBe(200);
    expect(adminCall.status).toBe(200);
    expect(hungAnswered).toBe(0);
    // Only the key's 32 slots reached ComfyUI; the other 268 wait in the proxy, not in the upstream pool.
    expect(front.hanging).toBe(32);

    await stack.close(100);
    await Promise.all(hung);
  });

  it('a full waiting room answers 429 in_flight with Retry-After: 1, and other keys still pass', async () => {
    const { front } = await fakeBehindFront();
    const stack = await proxyIn(front.url, { inFlight: { perPrincipal: 2, maxWaiting: 3 } });
    const greedy = await stack.keys.store.create({ name: 'greedy', rate_limit: 100_000 });
    const other = await stack.keys.store.create({ name: 'other' });
    const auth = { authorization: `Bearer ${greedy.secret}` };
    const held = Array.from({ length: 5 }, (_, i) => request(`${stack.proxy.url}/object_info?hang-${i}`, { headers: auth }).catch(() => null));
    await front.waitForHanging(2);
    await until(() => stack.proxy.inFlight().waiting === 3);
    // 2 in flight + 3 waiting: the next one has no room.
    const refused = await request(`${stack.proxy.url}/object_info?hang-x`, { headers: auth });
    expect(refused.status).toBe(429);
    expect(refused.json<Err>().error.type).toBe('rate_limited');
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['ratelimit-policy']).toMatch(/^"in_flight";q=2/);
    const otherKey = await request(`${stack.proxy.url}/system_stats`, { headers: { authorization: `Bearer ${other.secret}` } });
    expect(otherKey.status).toBe(200);
    await stack.close(100);
    await Promise.all(held);
  });

  it('a request that waited longer than the upstream timeout for a slot gets 504', async () => {
    const { front } = await fakeBehindFront();
    const stack = await proxyIn(front.url, { inFlight: { perPrincipal: 1, maxWaitMs: 200 } });
    const first = request(`${stack.proxy.url}/history/hang-1`, { headers: admin }).catch(() => null);
    await front.waitForHanging(1);
    const queued = await request(`${stack.proxy.url}/history/hang-2`, { headers: admin });
    expect(queued.status).toBe(504);
    expect(queued.json<Err>().error.message).toMatch(/slot/);
    expect(front.hanging).toBe(1);
    await stack.close(100);
    await first;
  });
});

describe('stalled transfers', () => {
  it('an upload that stops sending is cut with 408', async () => {
    const { fake, front } = await fakeBehindFront();
    const stack = await proxyIn(front.url, { timeouts: { stallMs: 300 } });
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${stack.proxy.url}/upload/image`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/octet-stream', 'content-length': '100000' },
        agent: false,
      });
      req.on('response', (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1000, 1)); // then nothing more
    });
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body).error.message).toMatch(/stalled/);
    expect(fake.uploads.length).toBe(0);
  });

  it('a download that stops arriving is cut (the client sees the connection end early)', async () => {
    const { front } = await fakeBehindFront();
    const stack = await proxyIn(front.url, { timeouts: { stallMs: 300 } });
    const outcome = await new Promise<{ status: number; bytes: number; complete: boolean }>((resolve) => {
      const req = http.get(`${stack.proxy.url}/stall-body`, { headers: admin, agent: false }, (r) => {
        let bytes = 0;
        r.on('data', (c: Buffer) => (bytes += c.length));
        r.on('close', () => resolve({ status: r.statusCode ?? 0, bytes, complete: r.complete }));
      });
      req.on('error', () => undefined);
    });
    expect(outcome.status).toBe(200);
    expect(outcome.complete).toBe(false);
    expect(outcome.bytes).toBeLessThan(1024 * 1024);
  });
});
