// One upstream behaves exactly as before (SPEC §10): no health watcher runs (no probe, no timer) until
// something subscribes to the upstream state (the app's monitor and tray); /object_info is forwarded, not
// cached; /health keeps its shape and adds the one-entry `upstreams` list. Once subscribed, the watcher
// reports the upstream going down (and its jobs failed) and coming back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamStatus } from '../../main/proxy/upstreams/upstreamHealth';
import { request } from '../helpers/http';
import { health, promptBody, startMulti, submit, type Multi } from './upstreams.helpers';

let m: Multi;
const fast = { fastMs: 20, watchedMs: 20, idleMaxMs: 40 };
const probes = () => m.fakes[0]?.received.filter((r) => r.method === 'GET' && r.url === '/prompt').length ?? 0;

beforeAll(async () => {
  m = await startMulti(1, { upstreamHealth: fast });
});
afterAll(async () => {
  await m.close();
});

describe('one upstream', () => {
  it('is never probed while nobody watches', async () => {
    for (const path of ['/queue', '/object_info', '/system_stats']) expect((await request(`${m.url}${path}`, { headers: m.auth })).status).toBe(200);
    // Fifty watcher rounds' worth of time: a running watcher would have asked GET /prompt many times.
    await new Promise((r) => setTimeout(r, 50 * fast.fastMs));
    expect(probes()).toBe(0);
    expect(m.stack.proxy.upstreamStatus()[0]?.state).toBe('checking');
  });

  it('forwards /object_info each time (no cache) and keeps /health’s shape with one upstreams entry', async () => {
    const before = m.fakes[0]?.received.filter((r) => r.url === '/object_info').length ?? 0;
    await request(`${m.url}/object_info`, { headers: m.auth });
    await request(`${m.url}/object_info`, { headers: m.auth });
    expect(m.fakes[0]?.received.filter((r) => r.url === '/object_info').length).toBe(before + 2);
    const { status, body } = await health(m);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', upstream: { url: m.fakes[0]?.url, reachable: true } });
    expect(body.upstreams).toEqual([expect.objectContaining({ url: m.fakes[0]?.url, state: 'up', reachable: true })]);
    expect(body.consistency).toBeUndefined();
  });

  it('is watched once subscribed: down (its jobs failed), then up again', async () => {
    const fake = m.fakes[0];
    const seen: UpstreamStatus[][] = [];
    const unsubscribe = m.stack.proxy.onUpstreamChange((s) => seen.push(s));
    await expect.poll(() => m.stack.proxy.upstreamStatus()[0]?.state, { timeout: 10_000 }).toBe('up');
    expect(probes()).toBeGreaterThan(0);
    const job = await submit(m, promptBody('solo'));
    expect(job.status).toBe(200);
    await fake?.stop();
    await expect.poll(() => seen.at(-1)?.[0]?.state, { timeout: 10_000 }).toBe('down');
    expect(m.stack.proxy.ledger.get(job.promptId)?.state).toBe('error');
    await fake?.restart();
    await expect.poll(() => seen.at(-1)?.[0]?.state, { timeout: 10_000 }).toBe('up');
    unsubscribe();
    const after = probes();
    await new Promise((r) => setTimeout(r, 50 * fast.fastMs));
    expect(probes()).toBeLessThanOrEqual(after + 1); // a probe in flight may still land
  });
});
