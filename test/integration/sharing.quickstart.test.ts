// The README's "share a GPU box" quick start, pasted in order: the proxy with its data dir in ~/comfy-share,
// a key for alice, and alice's SSH tunnel, played by a TCP forwarder on another local port (what `ssh -L`
// does on her machine). Through the tunnel she is sent to the login page, logs in with her key, and uses
// ComfyUI; the admin key was written where the guide says and never printed.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { request } from '../helpers/http';
import { waitForStdout } from '../helpers/processTree';
import { exited, readmeBlock, shellLine } from '../helpers/readmeCommands';
import { sessionCookie } from './login.helpers';

const KEY = /comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}/;

let fake: FakeComfy;
let home: string;
let tunnel: Server | null = null;
const sockets = new Set<Socket>();
const started: ChildProcess[] = [];
beforeAll(async () => {
  fake = await startFakeComfy();
  home = mkdtempSync(join(tmpdir(), 'cac-share-quickstart-'));
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of sockets) s.destroy();
  tunnel?.close();
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

/** A README line as pasted, with HOME pointing at a throwaway folder (so `~/comfy-share` lands there). */
const shell = (line: string) => shellLine(line, { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COMFY_API_KEY: '' }, started);

/** `ssh -L LOCAL:127.0.0.1:REMOTE`: every connection to a local port is piped to the proxy's port. */
function forward(toPort: number): Promise<number> {
  tunnel = createServer((client) => {
    const upstream = connect(toPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => tunnel!.listen(0, '127.0.0.1', () => resolve((tunnel!.address() as { port: number }).port)));
}

describe('README: share a GPU box', () => {
  it('works pasted in order: proxy, a key for alice, her tunnel and her login', async () => {
    const [start, create, ssh] = readmeBlock('share-quickstart');
    expect(start).toBe('npm run headless -- --upstream http://127.0.0.1:8188 --data-dir ~/comfy-share');
    // Same lines, free ports: our fake ComfyUI cannot take 8188 and the proxy must not take 8189 here.
    const proxy = shell(`${start!.replace('http://127.0.0.1:8188', fake.url)} --listen 127.0.0.1:0`);
    const proxyDone = exited(proxy);
    const [, , port] = await waitForStdout(proxy, /listening on (http:\/\/127\.0\.0\.1:(\d+)) -> /);
    expect(existsSync(join(home, 'comfy-share', 'admin.key'))).toBe(true);

    const made = await exited(shell(create!));
    expect(made.code, made.err).toBe(0);
    const key = KEY.exec(made.out)?.[0];
    expect(key).toBeDefined();

    const tunnelSpec = /^ssh -N -L (\d+):127\.0\.0\.1:8189 \S+$/.exec(ssh!);
    expect(tunnelSpec, 'the tunnel line keeps its shape').not.toBeNull();
    const local = await forward(Number(port));
    const page = `http://localhost:${local}`;

    // Opening the page without a session goes to the login page.
    const first = await request(`${page}/`, { headers: { accept: 'text/html' } });
    expect(first.status).toBe(302);
    expect(first.headers.location).toMatch(/^\/auth_login\.html\?next=/);

    // The login page's own request, same-origin through the tunnel.
    const login = await request(`${page}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', origin: page },
      body: JSON.stringify({ api_key: key }),
    });
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login);
    expect(cookie).toBeTruthy();
    const queue = await request(`${page}/queue`, { headers: { cookie: `cac_session=${cookie}` } });
    expect(queue.status).toBe(200);
    expect(queue.json()).toEqual({ queue_running: [], queue_pending: [] });

    // The key was never printed by the proxy, only where the admin key file is.
    proxy.kill('SIGTERM');
    const done = await proxyDone;
    expect(done.out + done.err).not.toMatch(KEY);
    expect(done.out + done.err).toContain('comfy-share');
  });
});
