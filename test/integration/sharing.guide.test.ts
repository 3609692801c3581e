// docs/sharing.md's step-by-step guide, pasted as written: the proxy, the keys (with the data dir from
// COMFY_COMPANION_DATA_DIR), bob's key with his own ComfyUI user (the curl through the proxy), and `keys revoke
// bob` by name. Every `# → …` line under a command is a message the guide quotes; it must be in that command's
// real output (`…` stands for the part that differs each time). Only the data dir, ComfyUI's address and the
// proxy's port are changed, to a temp folder, the fake ComfyUI and a free port.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginErrorMessage } from '../../main/auth/login/loginMessages';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';
import { waitForStdout } from '../helpers/processTree';
import { exited, ROOT, shellLine } from '../helpers/readmeCommands';

const GUIDE = readFileSync(join(ROOT, 'docs', 'sharing.md'), 'utf8');
const DIR = '/srv/comfy-companion';

interface Step {
  line: string;
  quoted: string[];
}

/** The commands of a `<!-- NAME -->` block, each with the messages quoted under it. */
function guideBlock(name: string): Step[] {
  const body = new RegExp(`<!-- ${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(GUIDE)?.[1];
  if (!body) throw new Error(`docs/sharing.md has no ${name} block`);
  const steps: Step[] = [];
  for (const raw of body.split('\n').map((l) => l.trim())) {
    if (raw.startsWith('# → ')) steps[steps.length - 1]?.quoted.push(raw.slice(4));
    else if (raw && !raw.startsWith('#')) steps.push({ line: raw, quoted: [] });
  }
  return steps;
}

/** A quoted message as a pattern: literal text, `…` for what differs. */
const quotedPattern = (text: string) => new RegExp(text.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?'));

let fake: FakeComfy;
let home: string;
let dataDir: string;
const started: ChildProcess[] = [];
const env: Record<string, string> = {};

beforeAll(async () => {
  fake = await startFakeComfy();
  home = mkdtempSync(join(tmpdir(), 'cac-guide-'));
  dataDir = join(home, 'srv-comfy-companion');
  Object.assign(env, { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), COMFY_API_KEY: '' });
});
afterAll(async () => {
  for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  await fake.close();
  rmSync(home, { recursive: true, force: true });
});

describe('docs/sharing.md, step by step', () => {
  it('runs as pasted and prints what it quotes', async () => {
    let port = '8189';
    const local = (text: string) => text.replaceAll(DIR, dataDir).replaceAll('http://127.0.0.1:8188', fake.url).replaceAll('127.0.0.1:8189', `127.0.0.1:${port}`);
    /** One pasted line; an `export` line sets the variable for the lines after it, as a shell would. */
    const run = async (step: Step) => {
      const exported = /^export (\w+)=(\S+)$/.exec(step.line);
      if (exported) {
        env[exported[1]!] = local(exported[2]!);
        return;
      }
      const done = await exited(shellLine(local(step.line), env, started));
      expect(done.code, `${step.line}\n${done.err}`).toBe(0);
      for (const q of step.quoted) expect(done.out + done.err, step.line).toMatch(quotedPattern(local(q)));
    };

    const [start, ...rest] = guideBlock('guide-proxy');
    expect(rest).toEqual([]);
    // The proxy runs on: its lines are checked as they appear. Our fake cannot take 8188, nor the proxy 8189 here.
    const proxy = shellLine(`${local(start!.line)} --listen 127.0.0.1:0`, env, started);
    const proxyDone = exited(proxy);
    [, port = ''] = await waitForStdout(proxy, /listening on http:\/\/127\.0\.0\.1:(\d+) -> /);
    expect(existsSync(join(dataDir, 'admin.key'))).toBe(true);

    for (const step of guideBlock('guide-keys')) await run(step);
    for (const step of guideBlock('guide-multiuser')) await run(step);
    // bob's ComfyUI user was made on ComfyUI through the proxy, and his key carries it.
    const users = Object.keys(fake.userdata.users);
    const keys = JSON.parse(readFileSync(join(dataDir, 'keys.json'), 'utf8')) as { keys: { name: string; comfy_user: string | null }[] };
    const bobUser = keys.keys.find((k) => k.name === 'bob')?.comfy_user ?? '';
    expect(bobUser).toMatch(/^bob_[0-9a-f-]{36}$/);
    expect(users).toContain(bobUser);
    for (const step of guideBlock('guide-revoke')) await run(step);

    proxy.kill('SIGTERM');
    const done = await proxyDone;
    for (const q of start!.quoted) expect(done.out + done.err).toMatch(quotedPattern(local(q)));
    // A restart says where the admin key is, as the guide says; the key itself is never printed.
    const again = shellLine(`${local(start!.line)} --listen 127.0.0.1:0`, env, started);
    const againDone = exited(again);
    await waitForStdout(again, /listening on /);
    again.kill('SIGTERM');
    const restarted = await againDone;
    expect(restarted.out).toMatch(quotedPattern(local('Using the admin key in …')));
    expect(done.out + done.err + restarted.out).not.toContain(readFileSync(join(dataDir, 'admin.key'), 'utf8').trim());
  });

  it('quotes the words a forgotten data dir and a wrong key really produce', async () => {
    const { COMFY_COMPANION_DATA_DIR: _set, ...without } = env;
    const forgot = await exited(shellLine('npm run headless -- keys list', { ...without, COMFY_COMPANION_DATA_DIR: '' }, started));
    const quoted = /\("Key store: … \(the desktop app's folder; give\s+--data-dir or set COMFY_COMPANION_DATA_DIR for another\)"\)/.exec(GUIDE)?.[0];
    expect(quoted, 'the guide quotes the line').toBeDefined();
    expect(forgot.err).toMatch(quotedPattern("Key store: … (the desktop app's folder; give --data-dir or set COMFY_COMPANION_DATA_DIR for another)"));
    expect(GUIDE).toContain('"That key was not recognised"');
    expect(loginErrorMessage('invalid')).toContain('That key was not recognised');
  });
});
