// The headless proxy as its own process, the way users run it (bin/comfy-auth-companion.mjs → dist/cli.mjs),
// on a given data dir and loopback port 0, for the tests that kill it (SIGKILL) and start it again.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export interface HeadlessProxy {
  url: string;
  port: number;
  pid: number;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** kill -9, resolved once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM: a clean shutdown (snapshots written). */
  stop(): Promise<void>;
}

export async function startHeadless(options: { upstream: string; dataDir: string; adminKeyFile: string }): Promise<HeadlessProxy> {
  const args = ['--upstream', options.upstream, '--listen', '127.0.0.1:0', '--data-dir', options.dataDir, '--api-key-file', options.adminKeyFile];
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'comfy-auth-companion.mjs'), ...args], {
    cwd: ROOT,
    env: { ...process.env, COMFY_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code, signal) => reject(new Error(`the proxy exited (${code ?? signal}) before listening; stderr: ${err}`)));
  });
  const gone = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url,
    port: Number(new URL(url).port),
    pid: child.pid ?? -1,
    stderr: () => err,
    kill9: () => gone('SIGKILL'),
    stop: () => gone('SIGTERM'),
  };
}
