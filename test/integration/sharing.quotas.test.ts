// The three per-key quotas (SPEC §2.4, §8.2), on a fixed clock: a browser session on default quotas (three
// page loads, 150 API reads, ~400 static modules) never sees a 429 and only API requests count; max_queued
// fills and frees as jobs finish or are deleted (429 "queue"); requests_per_minute refuses HTTP and the
// WebSocket (429 "requests"); jobs per hour refuses the job after the budget (429 "jobs"), and a prompt
// ComfyUI refuses costs nothing. Admin has no quotas.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, type HttpResult } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { loginJson, sessionCookie, withSession } from './login.helpers';
import { ADMIN, get, openWs, postJson, reached, runToEnd, startSharing, submit, wsRefusal, type Err, type TestKey } from './sharing.helpers';

let h: Harness;
let keys: Record<'browser' | 'batch' | 'chatty' | 'hourly', TestKey>;
let clock = Date.UTC(2031, 4, 1, 9, 0, 0);

beforeAll(async () => {
  ({ h, keys } = await startSharing(
    {
      browser: {},
      batch: { max_queued: 2 },
      chatty: { requests_per_minute: 5 },
      hourly: { rate_limit: 2 },
    },
    { now: () => clock },
  ));
});
afterAll(async () => {
  await h.close();
});

/** A 429 names its policy in RateLimit-Policy and RateLimit, says when to retry, and uses the error shape. */
function expectRefusal(res: HttpResult, policy: 'jobs' | 'requests' | 'queue', limit: number): void {
  expect(res.status).toBe(429);
  expect(res.json<Err>().error.type).toBe('rate_limited');
  expect(String(res.headers['ratelimit-policy'])).toMatch(new RegExp(`^"${policy}";q=${limit}\\b`));
  expect(String(res.headers.ratelimit)).toMatch(new RegExp(`^"${policy}";r=0;`));
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

describe('a browser session on default quotas', () => {
  it('three page loads with 150 API reads and ~400 .mjs modules get no 429; only the API requests count', async () => {
    const cookie = sessionCookie(await loginJson(h, { api_key: keys.browser.secret })) ?? '';
    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    const reads = [
      '/api/users', '/api/settings', '/api/system_stats', '/api/object_info', '/api/extensions', '/api/embeddings',
      '/api/i18n', '/api/userdata?dir=workflows&recurse=true&split=false&full_info=true', '/api/userdata/comfy.templates.json',
      '/api/queue', '/api/history?max_items=64', '/api/prompt', '/api/experiment/models', '/api/models/checkpoints',
      '/api/view?filename=example.png&type=input&subfolder=', '/api/settings/Comfy.Locale', '/api/node_replacements',
    ];
    const statuses: number[] = [];
    let counted = 0;
    const fetchAll = async (paths: string[]) => {
      // Six at a time, like a browser's connection pool.
      for (let i = 0; i < paths.length; i += 6) {
        const batch = await Promise.all(paths.slice(i, i + 6).map((p) => request(`${h.url}${p}`, { headers: withSession(cookie), agent })));
        statuses.push(...batch.map((r) => r.status));
      }
    };
    for (let load = 0; load < 3; load++) {
      const page = await request(`${h.url}/`, { headers: withSession(cookie, { accept: 'text/html', 'sec-fetch-mode': 'navigate' }), agent });
      statuses.push(page.status);
      const modules = Array.from({ length: 130 }, (_, i) => `/assets/chunk-${load}-${i}.mjs`);
      await fetchAll([...modules, '/assets/index.css', '/extensions/core/groupNode.js', '/assets/inter-latin.woff2']);
      await fetchAll(Array.from({ length: 50 }, (_, i) => reads[(i + load) % reads.length] ?? '/api/queue'));
      const ws = await openWs(h, { headers: withSession(cookie, { origin: h.url }) });
      await ws.close();
      counted += 1 + 50 + 1;
    }
    agent.destroy();
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses.length).toBe(3 * (1 + 133 + 50));
    // The next API request is number counted + 1 of 600: the modules were not counted.
    const next = await get(h, '/api/queue', withSession(cookie));
    expect(next.headers.ratelimit).toBe(`"requests";r=${600 - counted - 1};t=${Math.ceil(((counted + 1) * 60) / 600)}`);
  });
});

describe('max_queued', () => {
  it('fills (429 "queue", not forwarded) and frees when a job finishes or is deleted', async () => {
    const socket = await openWs(h, { headers: keys.batch.auth });
    const first = await submit(h, keys.batch.auth);
    const second = await submit(h, keys.batch.auth);
    expect([first.res.status, second.res.status]).toEqual([200, 200]);
    expect(second.res.headers['ratelimit-policy']).toBe('"queue";q=2');
    const before = reached(h, /\/prompt$/);
    const full = await submit(h, keys.batch.auth);
    expectRefusal(full.res, 'queue', 2);
    expect(full.res.json<Err>().error.message).toMatch(/2 jobs queued or running \(limit 2\)/);
    expect(reached(h, /\/prompt$/)).toBe(before);
    // Other keys are not affected by this key's full queue.
    expect((await submit(h, keys.browser.auth)).res.status).toBe(200);
    // A job finishes: one slot frees.
    await runToEnd(h, first.id, socket);
    const third = await submit(h, keys.batch.auth);
    expect(third.res.status).toBe(200);
    expectRefusal((await submit(h, keys.batch.auth)).res, 'queue', 2);
    // A pending job is deleted: another slot frees.
    expect((await postJson(h, '/queue', keys.batch.auth, { delete: [second.id] })).status).toBe(200);
    expect((await submit(h, keys.batch.auth)).res.status).toBe(200);
    await socket.close();
  });
});

describe('requests_per_minute', () => {
  it('refuses the request after the budget (429 "requests") for HTTP and the WebSocket, exempt assets still pass', async () => {
    for (let i = 0; i < 5; i++) expect((await get(h, '/api/system_stats', keys.chatty.auth)).status).toBe(200);
    const over = await get(h, '/api/system_stats', keys.chatty.auth);
    expectRefusal(over, 'requests', 5);
    expect(over.headers['ratelimit-policy']).toBe('"requests";q=5;w=60');
    expect(over.headers['retry-after']).toBe('12');
    const ws = await wsRefusal(h, { headers: keys.chatty.auth });
    expect(ws.status).toBe(429);
    expect(ws.body?.error.type).toBe('rate_limited');
    expect((await get(h, '/assets/app.mjs', keys.chatty.auth)).status).not.toBe(429);
    // No burst at a window boundary: one request per 12 s comes back, not five.
    clock += 12_000;
    expect((await get(h, '/api/system_stats', keys.chatty.auth)).status).toBe(200);
    expect((await get(h, '/api/system_stats', keys.chatty.auth)).status).toBe(429);
  });
});

describe('jobs per hour (rate_limit)', () => {
  it('refuses the job after the budget (429 "jobs"), refunds prompts ComfyUI refuses, and refills one job per 30 min', async () => {
    for (let i = 0; i < 3; i++) {
      // No "prompt" in the body: ComfyUI answers 400 no_prompt and the job never existed.
      const refused = await postJson(h, '/prompt', keys.hourly.auth, { client_id: 'hourly-script' });
      expect(refused.status).toBe(400);
    }
    const a = await submit(h, keys.hourly.auth);
    const b = await submit(h, keys.hourly.auth);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    expect(b.res.headers.ratelimit).toMatch(/^"jobs";r=0;/);
    const before = reached(h, /\/prompt$/);
    const over = await submit(h, keys.hourly.auth);
    expectRefusal(over.res, 'jobs', 2);
    expect(over.res.json<Err>().error.message).toMatch(/2 jobs per hour/);
    expect(Number(over.res.headers['retry-after'])).toBe(1800);
    expect(reached(h, /\/prompt$/)).toBe(before);
    // Reads are not jobs.
    expect((await get(h, '/api/queue', keys.hourly.auth)).status).toBe(200);
    clock += 1_800_000;
    expect((await submit(h, keys.hourly.auth)).res.status).toBe(200);
    expect((await submit(h, keys.hourly.auth)).res.status).toBe(429);
  });
});

describe('the admin key', () => {
  it('has no quotas', async () => {
    for (let i = 0; i < 8; i++) {
      const { res } = await submit(h, ADMIN);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-policy']).toBeUndefined();
    }
  });
});
