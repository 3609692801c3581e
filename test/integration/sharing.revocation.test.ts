// Revocation bites at once (SPEC §8.6): a revoked, disabled, rotated (after its grace period) or expired key's
// open WebSockets close with 1008 and a reason that says why, a logged-out session's socket too, and a long
// response streaming to a revoked key is cut; other keys' sockets stay open. Each test awaits the close event;
// the one-second promise is held by the proxy's checks (key-store changes at once, a 500 ms tick otherwise)
// and only a test timeout stands for it here.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../helpers/http';
import type { Harness } from '../helpers/proxyHarness';
import { loginJson, sessionCookie, withSession } from './login.helpers';
import { ADMIN, barrier, createKey, openWs, postJson, startSharing, type TestKey, type TestSocket } from './sharing.helpers';

const DEADLINE = { timeout: 10_000 };
let h: Harness;
let bystander: TestKey;
let watcher: TestSocket;
let clock = Date.now();

beforeAll(async () => {
  ({ h, keys: { bystander } } = await startSharing({ bystander: {} }, { now: () => clock }));
  watcher = await openWs(h, { headers: bystander.auth });
});
afterAll(async () => {
  await watcher.close();
  await h.close();
});

const admin = (method: string, path: string, body?: unknown) =>
  request(`${h.url}${path}`, { method, headers: { ...ADMIN, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

async function keyWithSocket(name: string, extra: Record<string, unknown> = {}): Promise<{ key: TestKey; ws: TestSocket }> {
  const key = await createKey(h, { name, ...extra });
  return { key, ws: await openWs(h, { headers: key.auth }) };
}

/** The bystander's socket is untouched by someone else's revocation. */
async function bystanderStillOpen(): Promise<void> {
  await barrier(h, [watcher]);
}

describe('a key’s open WebSocket closes with 1008', () => {
  it('when the key is revoked', DEADLINE, async () => {
    const { key, ws } = await keyWithSocket('revoked');
    expect((await admin('DELETE', `/api/keys/${key.id}`)).status).toBe(200);
    const closed = await ws.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/revoked/);
    await bystanderStillOpen();
  });

  it('when the key is disabled, and a fresh socket works once it is enabled again', DEADLINE, async () => {
    const { key, ws } = await keyWithSocket('disabled');
    expect((await admin('PATCH', `/api/keys/${key.id}`, { is_active: false })).status).toBe(200);
    const closed = await ws.closed;
    expect(closed).toMatchObject({ code: 1008 });
    expect(closed.reason).toMatch(/disabled/);
    expect((await admin('PATCH', `/api/keys/${key.id}`, { is_active: true })).status).toBe(200);
    const again = await openWs(h, { headers: key.auth });
    await barrier(h, [again, watcher]);
    await again.close();
  });

  it('when the key is rotated without grace; with a grace period, once it ends', DEADLINE, async () => {
    const sudden = await keyWithSocket('rotated-now');
    expect((await admin('POST', `/api/keys/${sudden.key.id}/rotate`, {})).status).toBe(200);
    expect((await sudden.ws.closed).code).toBe(1008);

    const graceful = await keyWithSocket('rotated-grace');
    const rotated = await admin('POST', `/api/keys/${graceful.key.id}/rotate`, { grace_seconds: 60 });
    const fresh = await openWs(h, { headers: { authorization: `Bearer ${rotated.json<{ api_key: string }>().api_key}` } });
    // Within the grace period the old secret's socket survives a re-check.
    h.stack.proxy.connections.recheckAll();
    await barrier(h, [graceful.ws, fresh]);
    clock += 61_000;
    const closed = await graceful.ws.closed;
    expect(closed.code).toBe(1008);
    await barrier(h, [fresh, watcher]);
    await fresh.close();
  });

  it('when the key expires', DEADLINE, async () => {
    const { ws } = await keyWithSocket('expiring', { expires_at: Math.floor(clock / 1000) + 30 });
    h.stack.proxy.connections.recheckAll();
    await barrier(h, [ws]);
    clock += 31_000;
    const closed = await ws.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/expired/);
    await bystanderStillOpen();
  });
});

describe('a browser session’s socket closes with 1008', () => {
  it('when the session logs out', DEADLINE, async () => {
    const key = await createKey(h, { name: 'browser' });
    const cookie = sessionCookie(await loginJson(h, { api_key: key.secret })) ?? '';
    const other = sessionCookie(await loginJson(h, { api_key: key.secret })) ?? '';
    const ws = await openWs(h, { headers: withSession(cookie, { origin: h.url }) });
    const otherTab = await openWs(h, { headers: withSession(other, { origin: h.url }) });
    const out = await request(`${h.url}/auth/logout`, { method: 'POST', headers: withSession(cookie, { origin: h.url, 'content-type': 'application/json' }), body: '{}' });
    expect(out.status).toBe(200);
    expect((await ws.closed).code).toBe(1008);
    // Another login of the same key (another browser) is its own session and stays.
    await barrier(h, [otherTab]);
    await otherTab.close();
  });

  it('when the key behind the session is revoked', DEADLINE, async () => {
    const key = await createKey(h, { name: 'browser-revoked' });
    const cookie = sessionCookie(await loginJson(h, { api_key: key.secret })) ?? '';
    const ws = await openWs(h, { headers: withSession(cookie, { origin: h.url }) });
    await admin('DELETE', `/api/keys/${key.id}`);
    expect((await ws.closed).code).toBe(1008);
  });
});

describe('an in-flight streaming response', () => {
  it('of a revoked key is cut; the same stream of another key runs on', DEADLINE, async () => {
    const key = await createKey(h, { name: 'streaming' });
    const stream = (auth: Record<string, string>) =>
      new Promise<{ res: http.IncomingMessage; text: () => string; ended: Promise<'end' | 'cut'> }>((resolve, reject) => {
        const req = http.get(`${h.url}/__fake/slow?ms=30000`, { headers: auth }, (res) => {
          let text = '';
          const ended = new Promise<'end' | 'cut'>((done) => {
            res.on('end', () => done('end'));
            res.on('aborted', () => done('cut'));
            res.on('error', () => done('cut'));
            res.on('close', () => done(res.complete ? 'end' : 'cut'));
          });
          res.once('data', (c: Buffer) => {
            text += c.toString();
            res.on('data', (d: Buffer) => (text += d.toString()));
            resolve({ res, text: () => text, ended });
          });
        });
        req.on('error', reject);
      });
    const victim = await stream(key.auth);
    const other = await stream(bystander.auth);
    await admin('DELETE', `/api/keys/${key.id}`);
    expect(await victim.ended).toBe('cut');
    expect(victim.text()).not.toContain('done');
    // The fake saw the client go away (the upstream request was cancelled too).
    await expect.poll(() => h.fake.received.filter((r) => r.url.startsWith('/__fake/slow') && r.aborted).length).toBeGreaterThanOrEqual(1);
    expect(other.res.complete).toBe(false);
    other.res.destroy();
    // And the revoked key is refused from now on.
    expect((await postJson(h, '/prompt', key.auth, { prompt: {} })).status).toBe(401);
  });
});
