// Several upstreams (SPEC §10) when one fails: killed mid-job → its jobs are reported failed in the ledger and
// to their client (execution_error), new jobs go to the other, /health shows it down; restarted → it rejoins
// existing client sockets and new ones. Also: a hung upstream, one down from the start, a refused connection
// and a server dying the instant a job is sent (reset, then refused) that the job survives by going to the
// other upstream — and a reset from a server still up, which is answered 502 so the job never runs twice.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfy } from '../fixtures/fakeComfy';
import { startSilentServer, type SilentServer } from '../fixtures/stallingUpstream';
import { request } from '../helpers/http';
import { fakeHolding, health, promptBody, startMulti, submit, WsClient, type Multi } from './upstreams.helpers';

describe('an upstream killed mid-job, then restarted', () => {
  let m: Multi;
  let ws: WsClient;
  const jobs: string[] = [];
  beforeAll(async () => {
    m = await startMulti(2);
    ws = await WsClient.open(m, 'fo');
    await Promise.all(m.fakes.map((f) => f.waitForWsClient('fo')));
  });
  afterAll(async () => {
    ws.close();
    await m.close();
  });

  it('reports its running and pending jobs failed, to the ledger and to the client, and keeps the client socket', async () => {
    const [a, b] = m.fakes;
    for (let i = 0; i < 4; i++) jobs.push((await submit(m, promptBody('fo'))).promptId);
    const onB = jobs.filter((id) => fakeHolding(m, id) === b);
    const onA = jobs.filter((id) => fakeHolding(m, id) === a);
    expect(onB).toHaveLength(2);
    const running = onB[0] as string;
    // A long job really running in b's worker; b dies (process gone: sockets reset, queue lost) mid-way.
    void b?.runFakeJob(running, undefined, 100, { ms: 60_000 }).catch(() => undefined);
    await ws.waitFor((msg) => msg.type === 'progress' && msg.data.prompt_id === running);
    await b?.crash();
    for (const id of onB) {
      const err = await ws.waitFor((msg) => msg.type === 'execution_error' && msg.data.prompt_id === id);
      expect(err.data).toMatchObject({ exception_type: 'UpstreamUnavailable', node_id: null });
      expect(String(err.data.exception_message)).toContain(b?.url);
      expect(m.stack.proxy.ledger.get(id)).toMatchObject({ state: 'error', error: expect.stringContaining('stopped answering') });
      expect(ws.about(id, 'execution_error')).toHaveLength(1);
    }
    // A client polling /history/{id} (as SDKs do) learns the job failed instead of waiting forever.
    const hist = await request(`${m.url}/history/${running}`, { headers: m.auth });
    expect(hist.status).toBe(200);
    expect(hist.json<Record<string, { status: { status_str: string; messages: [string, Record<string, unknown>][] } }>>()[running]?.status).toMatchObject({
      status_str: 'error',
      messages: expect.arrayContaining([['execution_error', expect.objectContaining({ exception_type: 'UpstreamUnavailable' })]]),
    });
    const all = (await request(`${m.url}/history`, { headers: m.auth })).json<Record<string, { status: { status_str: string } }>>();
    for (const id of onB) expect(all[id]?.status.status_str).toBe('error');
    for (const id of onA) expect(m.stack.proxy.ledger.get(id)?.state).toBe('pending');
    expect(ws.closed).toBeNull();
    expect(m.events.some((e) => e.includes(`${b?.url} is down`))).toBe(true);
  });

  it('shows it down on /health and sends new jobs to the other upstream', async () => {
    const [a, b] = m.fakes;
    await expect.poll(async () => (await health(m)).body.upstreams[1]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    const { status, body } = await health(m);
    expect(status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.upstreams[0]?.state).toBe('up');
    expect(m.stack.proxy.upstreamStatus()[1]).toMatchObject({ state: 'down', error: expect.any(String) });
    for (let i = 0; i < 3; i++) {
      const res = await submit(m, promptBody('fo'));
      expect(res.status).toBe(200);
      expect(fakeHolding(m, res.promptId)).toBe(a);
      jobs.push(res.promptId);
    }
    expect(b?.received.filter((r) => r.method === 'POST' && r.url === '/prompt')).toHaveLength(2); // nothing new reached it
    const id = jobs.find((j) => fakeHolding(m, j) === a) as string;
    await a?.runFakeJob(id, 'fo', 2);
    await ws.waitFor((msg) => msg.type === 'execution_success' && msg.data.prompt_id === id);
    expect(ws.about(id, 'execution_start')).toHaveLength(1);
  });

  it('rejoins when it answers again: the open client socket and new ones reach it, and it takes jobs', async () => {
    const [a, b] = m.fakes;
    const before = b?.wsClients().length ?? 0;
    await b?.restart();
    await expect.poll(async () => (await health(m)).body.upstreams[1]?.state, { timeout: 10_000, interval: 100 }).toBe('up');
    await expect.poll(() => b?.wsClients().filter((c) => c.open && c.clientId === 'fo').length, { timeout: 10_000 }).toBe(1);
    expect(b?.wsClients().length).toBeGreaterThan(before);
    const fresh = await WsClient.open(m, 'fo-new');
    await Promise.all(m.fakes.map((f) => f.waitForWsClient('fo-new')));
    fresh.close();
    // The other upstream has a queue now, so the returning one gets the next job.
    const res = await submit(m, promptBody('fo'));
    expect(fakeHolding(m, res.promptId)).toBe(b);
    await b?.runFakeJob(res.promptId, 'fo', 2);
    await ws.waitFor((msg) => msg.type === 'execution_success' && msg.data.prompt_id === res.promptId);
    expect(ws.about(res.promptId, 'progress')).toHaveLength(2);
    expect(a).toBeDefined();
    expect(m.events.some((e) => e.includes(`${b?.url} answers again`))).toBe(true);
  });
});

describe('other failures', () => {
  let m: Multi | null = null;
  let silent: SilentServer | null = null;
  afterEach(async () => {
    await m?.close();
    await silent?.close();
    m = null;
    silent = null;
  });

  it('marks an upstream that hangs (sockets open, nothing answered) down, and takes it back when it answers', async () => {
    m = await startMulti(2);
    const [a, b] = m.fakes;
    const ws = await WsClient.open(m, 'hang');
    await Promise.all(m.fakes.map((f) => f.waitForWsClient('hang')));
    b?.hang('all');
    await expect.poll(() => m?.stack.proxy.upstreamStatus()[1]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    expect(m.stack.proxy.upstreamStatus()[1]?.error).toMatch(/no answer within/);
    const res = await submit(m, promptBody('hang'));
    expect(fakeHolding(m, res.promptId)).toBe(a);
    b?.hang(null);
    await expect.poll(() => m?.stack.proxy.upstreamStatus()[1]?.state, { timeout: 10_000, interval: 100 }).toBe('up');
    // Its part of the client socket was closed when it went down; a new one is opened now.
    await expect.poll(() => b?.wsClients().filter((c) => c.open && c.clientId === 'hang').length, { timeout: 10_000 }).toBe(1);
    expect(ws.closed).toBeNull();
    ws.close();
  });

  it('marks an upstream that accepts connections but never answers down, and routes around it', async () => {
    silent = await startSilentServer();
    const fake = await startFakeComfy();
    m = await startMulti(2, { upstream: [silent.url, fake.url] }, [fake]);
    await expect.poll(() => m?.stack.proxy.upstreamStatus()[0]?.state, { timeout: 10_000, interval: 100 }).toBe('down');
    expect(m.stack.proxy.upstreamStatus()[0]?.error).toMatch(/no answer within/);
    const res = await submit(m, promptBody('hung'));
    expect(res.status).toBe(200);
    expect(fakeHolding(m, res.promptId)).toBe(fake);
    const { body } = await health(m);
    expect(body.upstreams[0]).toMatchObject({ state: 'down', reachable: false });
  });

  it('answers 502 (and /health 503) when every upstream is down, and works again when one returns', async () => {
    m = await startMulti(2);
    const multi = m;
    await Promise.all(multi.fakes.map((f) => f.stop()));
    await expect.poll(async () => (await health(multi)).status, { timeout: 10_000, interval: 100 }).toBe(503);
    expect((await health(multi)).body.status).toBe('down');
    const job = await submit(multi, promptBody('none'));
    expect(job.status).toBe(502);
    expect(job.json<{ error: { type: string } }>().error.type).toBe('upstream_unavailable');
    expect((await request(`${multi.url}/queue`, { headers: multi.auth })).status).toBe(502);
    await expect(WsClient.open(multi, 'none')).rejects.toThrow('HTTP 502');
    await multi.fakes[1]?.restart();
    const again = await submit(multi, promptBody('none'));
    expect(again.status).toBe(200);
    expect(fakeHolding(multi, again.promptId)).toBe(multi.fakes[1]);
  });

  it('takes jobs on the other upstream when one is down from the start', async () => {
    const [dead, live] = [await startFakeComfy(), await startFakeComfy()];
    await dead.stop();
    m = await startMulti(2, {}, [dead, live]);
    const res = await submit(m, promptBody('start'));
    expect(res.status).toBe(200);
    expect(fakeHolding(m, res.promptId)).toBe(live);
    const ws = await WsClient.open(m, 'start');
    await live.waitForWsClient('start');
    ws.close();
  });

  it('sends a job to the next upstream when the first refuses the connection before the watcher noticed', async () => {
    const slow = { fastMs: 600_000, watchedMs: 600_000, idleMaxMs: 600_000 };
    m = await startMulti(2, { upstreamHealth: slow });
    await expect.poll(() => m?.stack.proxy.upstreamStatus().map((s) => s.state).join(), { timeout: 10_000 }).toBe('up,up');
    const [a, b] = m.fakes;
    await a?.stop();
    const res = await submit(m, promptBody('refused'));
    expect(res.status).toBe(200);
    expect(fakeHolding(m, res.promptId)).toBe(b);
    expect(m.stack.proxy.ledger.get(res.promptId)?.upstream).toBe(b?.url);
    // The refusal made the watcher look at once, long before its next round.
    await expect.poll(() => m?.stack.proxy.upstreamStatus()[0]?.state, { timeout: 10_000 }).toBe('down');
  });

  it('sends a job to the other upstream when the first dies the instant it is sent (connection reset, then refused)', async () => {
    const slow = { fastMs: 600_000, watchedMs: 600_000, idleMaxMs: 600_000 };
    m = await startMulti(2, { upstreamHealth: slow });
    await expect.poll(() => m?.stack.proxy.upstreamStatus().map((s) => s.state).join(), { timeout: 10_000 }).toBe('up,up');
    const [a, b] = m.fakes;
    const dead = a?.dieOn(({ method, path }) => method === 'POST' && path === '/prompt');
    const res = await submit(m, promptBody('crash-moment'));
    expect(res.status).toBe(200);
    // The dying server got the job's bytes, and lost them with its queue; the job is on b, once.
    expect(a?.received.filter((r) => r.method === 'POST' && r.url === '/prompt')).toHaveLength(1);
    expect(a?.state.pending).toHaveLength(0);
    expect(fakeHolding(m, res.promptId)).toBe(b);
    expect(b?.state.pending.filter((i) => i[1] === res.promptId)).toHaveLength(1);
    expect(m.stack.proxy.ledger.get(res.promptId)).toMatchObject({ upstream: b?.url, state: 'pending' });
    expect(m.events.some((e) => e.includes(`${a?.url} reset a job submission and is gone`))).toBe(true);
    await dead;
    await expect.poll(() => m?.stack.proxy.upstreamStatus()[0]?.state, { timeout: 10_000 }).toBe('down');
  });

  it('answers 502 as before when the connection breaks but the server is still up (the job may be in its queue)', async () => {
    const slow = { fastMs: 600_000, watchedMs: 600_000, idleMaxMs: 600_000 };
    m = await startMulti(2, { upstreamHealth: slow });
    await expect.poll(() => m?.stack.proxy.upstreamStatus().map((s) => s.state).join(), { timeout: 10_000 }).toBe('up,up');
    const [a, b] = m.fakes;
    a?.dropAnswer(({ method, path }) => method === 'POST' && path === '/prompt');
    const res = await submit(m, promptBody('broken-answer'));
    expect(res.status).toBe(502);
    expect(res.json<{ error: { type: string } }>().error.type).toBe('upstream_unavailable');
    // a queued it; b never saw it: sending it there too would have run it twice.
    expect(a?.state.pending).toHaveLength(1);
    expect(b?.received.filter((r) => r.method === 'POST' && r.url === '/prompt')).toHaveLength(0);
    expect(m.stack.proxy.upstreamStatus()[0]?.state).toBe('up');
  });
});
