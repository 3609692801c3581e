// The WebSocket handshake is validated completely before any upstream socket is opened (SPEC §9): bad
// version or key → 400 and the fake ComfyUI never sees an upgrade; a cookie-authenticated upgrade without
// Origin → 403. Raw sockets, because the ws client refuses to send a malformed handshake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rawRequest } from '../helpers/http';
import { ADMIN_KEY, startHarness, type Harness } from '../helpers/proxyHarness';
import { loginJson, sessionCookie } from './login.helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const GOOD_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
const upstreamUpgrades = () => h.fake.received.filter((r) => r.upgrade).length;

function handshake(lines: string[]): string {
  return `GET /ws?clientId=hs HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Authorization: Bearer ${ADMIN_KEY}\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
}

describe('malformed handshakes of an authenticated client', () => {
  const cases: [string, string[]][] = [
    ['version 8', ['Sec-WebSocket-Version: 8', `Sec-WebSocket-Key: ${GOOD_KEY}`]],
    ['version 12', ['Sec-WebSocket-Version: 12', `Sec-WebSocket-Key: ${GOOD_KEY}`]],
    ['version 130', ['Sec-WebSocket-Version: 130', `Sec-WebSocket-Key: ${GOOD_KEY}`]],
    ['no version', [`Sec-WebSocket-Key: ${GOOD_KEY}`]],
    ['two versions', ['Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8', `Sec-WebSocket-Key: ${GOOD_KEY}`]],
    ['no key', ['Sec-WebSocket-Version: 13']],
    ['a key that is not base64', ['Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: not a key!']],
    ['a key of 15 bytes', ['Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${Buffer.alloc(15, 7).toString('base64')}`]],
    ['a key of 17 bytes', ['Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${Buffer.alloc(17, 7).toString('base64')}`]],
    ['a non-canonical key', ['Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZR==']],
    ['two keys', ['Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${GOOD_KEY}`, `Sec-WebSocket-Key: ${GOOD_KEY}`]],
    ['a bad subprotocol list', ['Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${GOOD_KEY}`, 'Sec-WebSocket-Protocol: a b, a']],
  ];

  it.each(cases)('%s → 400, and no upstream WebSocket is opened', async (_name, lines) => {
    const before = upstreamUpgrades();
    const clientsBefore = h.fake.wsClients().length;
    const raw = await rawRequest(h.port, handshake(lines));
    expect(statusOf(raw)).toBe(400);
    expect(raw).toContain('"invalid_request"');
    expect(upstreamUpgrades()).toBe(before);
    expect(h.fake.wsClients().length).toBe(clientsBefore);
  });

  it('names the supported version in the 400', async () => {
    const raw = await rawRequest(h.port, handshake(['Sec-WebSocket-Version: 8', `Sec-WebSocket-Key: ${GOOD_KEY}`]));
    expect(raw).toMatch(/^sec-websocket-version: 13$/im);
  });

  it('a well-formed handshake is still relayed', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws?clientId=ok`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    expect(JSON.parse(first).type).toBe('status');
    ws.close();
  });
});

describe('a WebSocket authenticated by the login cookie', () => {
  const open = (headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${h.port}/ws?clientId=cookie`, { headers });
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      ws.on('error', () => undefined);
    });

  it('without Origin → 403, and nothing reaches ComfyUI', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: ADMIN_KEY }));
    expect(sid).toBeTruthy();
    const before = upstreamUpgrades();
    expect(await open({ cookie: `cac_session=${sid}` })).toBe(403);
    expect(upstreamUpgrades()).toBe(before);
  });

  it('with this origin’s Origin → relayed', async () => {
    const sid = sessionCookie(await loginJson(h, { api_key: ADMIN_KEY }));
    expect(await open({ cookie: `cac_session=${sid}`, origin: h.url })).toBe(101);
  });
});
