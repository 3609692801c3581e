// The README's quick starts as a user pastes them: the command lines of a marked block, run through `sh`
// the way a terminal would (with `exec`, so the pid held is the command's own), and their output collected.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** The lines of the README's `<!-- NAME -->` block that are commands (not comments, not blank). */
export function readmeBlock(name: string): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = new RegExp(`<!-- ${name} -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (!block) throw new Error(`README has no ${name} block`);
  return block.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
}

/** Runs one pasted line in the repository, with `env` on top of the test's environment. */
export function shellLine(line: string, env: Record<string, string>, started: ChildProcess[]): ChildProcess {
  const child = spawn('sh', ['-c', `exec ${line}`], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return child;
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
}
