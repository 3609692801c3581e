// Runs a writer script (TypeScript, under tsx) that prints "<marker> <n>" after each write it has made durable,
// and kills it with SIGKILL once `after` writes were acknowledged: the crash tests' "kill -9 mid-burst".
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect } from 'vitest';

/** Resolves to the number of acknowledged writes when the child was killed. */
export async function killMidBurst(script: string, marker: string, after: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  const acknowledged = await new Promise<number>((resolveCount, reject) => {
    let buffer = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const count = buffer.split('\n').filter((l) => l.startsWith(marker)).length;
      if (count >= after && !child.killed) {
        child.kill('SIGKILL'); // the child is already busy with its next write
        resolveCount(count);
      }
    });
    child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
  });
  expect(await exited).toBe('SIGKILL');
  return acknowledged;
}
