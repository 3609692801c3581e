// Several upstreams (SPEC §10), everything up: jobs from one client spread over the upstreams with every
// message reaching that client once; /history/{id} and /view follow the ledger to the upstream that ran the
// job; /queue merges; /object_info and /system_stats are answered by the proxy; /health lists each upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import { createKey, fakeHolding, health, promptBody, startMulti, submit, WsClient, type Multi } from './upstreams.helpers';

let m: Multi;

beforeAll(async () => {
  m = await startMulti(2);
  m.fakes[0]?.setStats({ deviceName: 'cuda:0 GPU on box A' });
  m.fakes[1]?.setStats({ deviceName: 'cuda:0 GPU on box B' });
});
afterAll(async () => {
  await m.close();
});

describe('jobs from one client', () => {
  it('spread over both upstreams, and each message reaches the client exactly once', async () => {
    const ws = await WsClient.open(m, 'spread');
    await Promise.all(m.fakes.map((f) => f.waitForWsClient('spread')));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await submit(m, promptBody('spread'));
      expect(res.status).toBe(200);
      ids.push(res.promptId);
    }
    const holders = ids.map((id) => fakeHolding(m, id));
    expect(holders.filter((f) => f === m.fakes[0])).toHaveLength(2);
    expect(holders.filter((f) => f === m.fakes[1])).toHaveLength(2);
    for (const [i, id] of ids.entries()) {
      expect(m.stack.proxy.ledger.get(id)?.upstream).toBe(holders[i]?.url);
    }

    const steps = 3;
    await Promise.all(ids.map((id, i) => holders[i]?.runFakeJob(id, 'spread', steps, { previews: true })));
    for (const id of ids) await ws.waitFor((msg) => msg.type === 'execution_success' && msg.data.prompt_id === id);
    for (const id of ids) {
      expect(ws.about(id, 'execution_start')).toHaveLength(1);
      expect(ws.about(id, 'executed')).toHaveLength(1);
      expect(ws.about(id, 'execution_success')).toHaveLength(1);
      expect(ws.about(id, 'progress')).toHaveLength(steps);
    }
    expect(ws.binaryFrames).toBe(ids.length * steps);
    // Merged status: this client's own sid, whichever upstream spoke.
    const statuses = ws.messages.filter((msg) => msg.type === 'status');
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) if ('sid' in s.data) expect(s.data.sid).toBe('spread');
    ws.close();
  });

  it('merge the status queue counts of both upstreams', async () => {
    const ws = await WsClient.open(m, 'counts');
    await Promise.all(m.fakes.map((f) => f.waitForWsClient('counts')));
    const a = await submit(m, promptBody('counts'));
    const b = await submit(m, promptBody('counts'));
    expect(fakeHolding(m, a.promptId)).not.toBe(fakeHolding(m, b.promptId));
    // Both queued: the client sees one queue of two, not either server's one.
    await ws.waitFor((msg) => msg.type === 'status' && (msg.data.status as { exec_info: { queue_remaining: number } }).exec_info.queue_remaining === 2);
    for (const id of [a.promptId, b.promptId]) await fakeHolding(m, id)?.runFakeJob(id, 'counts', 1);
    ws.close();
  });
});

describe('reads that follow the ledger', () => {
  it('/history/{id} is asked of the upstream that ran the job, and only of it', async () => {
    const jobs = [await submit(m, promptBody('hist')), await submit(m, promptBody('hist'))];
    for (const j of jobs) await fakeHolding(m, j.promptId)?.runFakeJob(j.promptId, 'hist', 1);
    for (const j of jobs) {
      const ran = fakeHolding(m, j.promptId);
      const other = m.fakes.find((f) => f !== ran);
      const res = await request(`${m.url}/history/${j.promptId}`, { headers: m.auth });
      expect(res.status).toBe(200);
      expect(Object.keys(res.json<Record<string, unknown>>())).toEqual([j.promptId]);
      expect(ran?.received.some((r) => r.url === `/history/${j.promptId}`)).toBe(true);
      expect(other?.received.some((r) => r.url === `/history/${j.promptId}`)).toBe(false);
    }
  });

  it('/view of an output goes to the upstream that produced it, per key, even when both servers use the name', async () => {
    const [alice, bob] = [await createKey(m, 'alice'), await createKey(m, 'bob')];
    // Alice's job lands on one upstream and Bob's on the other; each server names its next output alike.
    const ja = await submit(m, promptBody('alice-c'), alice);
    const jb = await submit(m, promptBody('bob-c'), bob);
    const [fa, fb] = [fakeHolding(m, ja.promptId), fakeHolding(m, jb.promptId)];
    expect(fa).toBeDefined();
    expect(fb).toBeDefined();
    expect(fa).not.toBe(fb);
    await fa?.runFakeJob(ja.promptId, 'alice-c', 1);
    await fb?.runFakeJob(jb.promptId, 'bob-c', 1);
    const outputOf = (f: typeof fa, id: string) => {
      const entry = f?.state.history.get(id);
      const images = Object.values(entry?.outputs ?? {})[0]?.images as { filename: string }[] | undefined;
      return images?.[0]?.filename ?? '';
    };
    // Ask each server's /history through the proxy so the ledger learns the outputs.
    for (const [id, key] of [[ja.promptId, alice], [jb.promptId, bob]] as const) {
      expect((await request(`${m.url}/history/${id}`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    }
    for (const [f, id, key] of [[fa, ja.promptId, alice], [fb, jb.promptId, bob]] as const) {
      const file = outputOf(f, id);
      expect(file).toMatch(/\.png$/);
      const mark = f?.received.length ?? 0;
      const res = await request(`${m.url}/view?filename=${file}&type=output&subfolder=`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      expect(f?.received.slice(mark).some((r) => r.url.startsWith(`/view?filename=${file}`))).toBe(true);
    }
  });
});

describe('changes that follow the ledger', () => {
  it('/interrupt and queue deletes go only to the upstream that has the job', async () => {
    const jobs = [await submit(m, promptBody('ctl')), await submit(m, promptBody('ctl'))];
    const [f0, f1] = jobs.map((j) => fakeHolding(m, j.promptId));
    expect(f0).not.toBe(f1);
    const posts = (f: typeof f0, path: string) => f?.received.filter((r) => r.method === 'POST' && r.url === path).length ?? 0;
    const before = m.fakes.map((f) => [posts(f, '/interrupt'), posts(f, '/queue')]);
    const running = jobs[1]?.promptId ?? '';
    void f1?.runFakeJob(running, 'ctl', 50, { ms: 20_000 }).catch(() => undefined);
    await f1?.waitForJob(running, 'running');
    const stop = await request(`${m.url}/interrupt`, { method: 'POST', headers: { ...m.auth, 'content-type': 'application/json' }, body: JSON.stringify({ prompt_id: running }) });
    expect(stop.status).toBe(200);
    await f1?.waitForJob(running, 'finished');
    const del = await request(`${m.url}/queue`, { method: 'POST', headers: { ...m.auth, 'content-type': 'application/json' }, body: JSON.stringify({ delete: [jobs[0]?.promptId] }) });
    expect(del.status).toBe(200);
    expect(f0?.state.pending.some((i) => i[1] === jobs[0]?.promptId)).toBe(false);
    const after = m.fakes.map((f) => [posts(f, '/interrupt'), posts(f, '/queue')]);
    const i0 = m.fakes.indexOf(f0 as (typeof m.fakes)[number]);
    const i1 = m.fakes.indexOf(f1 as (typeof m.fakes)[number]);
    expect([after[i1]?.[0], after[i0]?.[0]]).toEqual([(before[i1]?.[0] ?? 0) + 1, before[i0]?.[0]]);
    expect([after[i0]?.[1], after[i1]?.[1]]).toEqual([(before[i0]?.[1] ?? 0) + 1, before[i1]?.[1]]);
  });
});

describe('merged and shared reads', () => {
  it('/queue lists the pending jobs of both upstreams', async () => {
    const jobs = [await submit(m, promptBody('q')), await submit(m, promptBody('q'))];
    expect(fakeHolding(m, jobs[0]?.promptId ?? '')).not.toBe(fakeHolding(m, jobs[1]?.promptId ?? ''));
    const res = await request(`${m.url}/queue`, { headers: m.auth });
    const ids = res.json<{ queue_pending: unknown[][] }>().queue_pending.map((i) => i[1]);
    for (const j of jobs) expect(ids).toContain(j.promptId);
    for (const j of jobs) await fakeHolding(m, j.promptId)?.runFakeJob(j.promptId, 'q', 1);
  });

  it('/system_stats lists the devices of every upstream', async () => {
    const res = await request(`${m.url}/system_stats`, { headers: m.auth });
    expect(res.status).toBe(200);
    const names = res.json<{ devices: { name: string }[] }>().devices.map((d) => d.name);
    expect(names).toEqual(['cuda:0 GPU on box A', 'cuda:0 GPU on box B']);
  });

  it('/object_info comes from one upstream and is cached briefly', async () => {
    const asked = () => m.fakes.reduce((n, f) => n + f.received.filter((r) => r.url === '/object_info').length, 0);
    const first = await request(`${m.url}/object_info`, { headers: m.auth });
    expect(first.status).toBe(200);
    expect(first.json<Record<string, unknown>>()).toHaveProperty('SaveImage');
    const after = asked();
    const second = await request(`${m.url}/object_info`, { headers: m.auth });
    expect(second.text).toBe(first.text);
    expect(asked()).toBe(after);
  });
});

describe('/health', () => {
  it('lists each upstream with its state, queue, latency, device and object_info, keeping the single-upstream fields', async () => {
    await expect.poll(async () => (await health(m)).body.upstreams.every((u) => u.object_info.matches === true), { timeout: 10_000 }).toBe(true);
    const { status, body } = await health(m);
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.upstream).toMatchObject({ url: m.fakes[0]?.url, reachable: true });
    expect(body.upstreams.map((u) => u.url)).toEqual(m.fakes.map((f) => f.url));
    for (const u of body.upstreams) {
      expect(u).toMatchObject({ state: 'up', reachable: true, latency_ms: expect.any(Number), queue: { pending: expect.any(Number), running: expect.any(Number) } });
    }
    expect(body.upstreams.map((u) => u.device?.name)).toEqual(['cuda:0 GPU on box A', 'cuda:0 GPU on box B']);
    expect(body.consistency).toEqual({ consistent: true, problems: [] });
    const statuses = m.stack.proxy.upstreamStatus();
    expect(statuses.map((s) => s.state)).toEqual(['up', 'up']);
  });
});
