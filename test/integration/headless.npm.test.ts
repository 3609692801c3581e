// `npm run headless` as a user and a service manager run it: the README's quick-start lines pasted in
// order (the real npm, the built bundle), then SIGTERM or SIGINT to the npm process leaves nothing behind:
// npm exits, every process under it is gone and the port is free.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { request } from '../helpers/http';
import { descendants, isAlive, portIsFree, waitForStdout } from '../helpers/processTree';
import { exited, readmeBlock, shellLine } from '../helpers/readmeCommands';

const KEY = /comfy_[A-Za-z0-9_-]{43}_[A-Za-z0-9_-]{6}/;

const quickstart = () => readmeBlock('headless-quickstart');

let fake: FakeComfy;
let home: string;
const started: ChildProcess[] = [];
/** Every pid seen under npm, so a failing run still cleans up what it started. */
const seen = new Set<number>();
beforeAll(async () => {
  fake = await startFakeComfy();
  home = mkdtempSync(join(tmpdir(), 'cac-npm-headless-'));
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  for (const pid of seen) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

/** A README line run as pasted; the data dir follows XDG_CONFIG_HOME, so the default folder is a throwaway one. */
const shell = (line: string) => shellLine(line, { XDG_CONFIG_HOME: home, COMFY_API_KEY: '' }, started);

/** Polls with a deadline far above the expected few milliseconds (the proxy closes before it exits). */
async function eventually(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`still not true after ${deadlineMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('npm run headless', () => {
  it('the README quick start works pasted in order, and SIGTERM to npm stops everything', async () => {
    const [start, create, use] = quickstart();
    expect(start).toMatch(/^npm run headless -- --upstream http:\/\/127\.0\.0\.1:8188$/);
    // Our fake ComfyUI cannot take 8188 and the proxy must not take 8189 on a shared machine: same lines, free ports.
    const npm = shell(`${start!.replace('http://127.0.0.1:8188', fake.url)} --listen 127.0.0.1:0`);
    const npmDone = exited(npm);
    const ready = await waitForStdout(npm, /listening on (http:\/\/127\.0\.0\.1:(\d+)) -> /);
    const [, url, port] = ready;

    const made = await exited(shell(create!));
    expect(made.code, made.err).toBe(0);
    const key = KEY.exec(made.out)?.[0];
    expect(key).toBeDefined();

    // `curl -H "Authorization: Bearer PASTE_THE_KEY" http://127.0.0.1:8189/system_stats`, with the key and port.
    const curl = /^curl -H "([^:]+): ([^"]+)" (\S+)$/.exec(use!);
    expect(curl).not.toBeNull();
    const target = curl![3]!.replace('http://127.0.0.1:8189', url!);
    const res = await request(target, { headers: { [curl![1]!]: curl![2]!.replace('PASTE_THE_KEY', key!) } });
    expect(res.status).toBe(200);
    expect(res.json()).toHaveProperty('system');

    const tree = descendants(npm.pid!);
    tree.forEach((pid) => seen.add(pid));
    expect(tree.length).toBeGreaterThan(0); // the proxy runs under npm
    npm.kill('SIGTERM');
    const done = await npmDone;
    expect(done.out).toContain('Received SIGTERM, shutting down.');
    expect(done.err).not.toMatch(/\n\s+at /);
    await eventually(() => tree.every((pid) => !isAlive(pid)), `processes ${tree.join(', ')} under npm are gone`);
    await eventually(() => portIsFree(Number(port)), `port ${port} is free`);
  });

  it('SIGINT to npm (Ctrl-C) also stops the proxy and everything under npm', async () => {
    const npm = shell(`npm run headless -- --upstream ${fake.url} --listen 127.0.0.1:0`);
    const npmDone = exited(npm);
    const [, , port] = await waitForStdout(npm, /listening on (http:\/\/127\.0\.0\.1:(\d+)) -> /);
    const tree = descendants(npm.pid!);
    tree.forEach((pid) => seen.add(pid));
    npm.kill('SIGINT');
    const done = await npmDone;
    expect(done.out).toContain('Received SIGINT, shutting down.');
    await eventually(() => tree.every((pid) => !isAlive(pid)), `processes ${tree.join(', ')} under npm are gone`);
    await eventually(() => portIsFree(Number(port)), `port ${port} is free`);
  });

  it('keys commands run through the bundle with hints spelled for npm', async () => {
    const r = await exited(shell('npm run --silent headless -- keys create --scope root --name x'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('comfy-auth-companion: --scope "root" is not a scope: use read, generate, admin, metrics.');
    expect(r.err).toContain('Run "npm run headless -- keys create --help" for usage.');
  });
});
