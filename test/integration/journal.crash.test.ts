// A process killed (SIGKILL) right after it acknowledged a job or a counted request loses neither (SPEC §9):
// the job ledger and the rate limiter append each change to their journal before the caller may answer, and
// replay it over the batched snapshot at start. The writers snapshot every few ms so the kills land before,
// during and after snapshot writes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killMidBurst } from '../helpers/killMidBurst';
import { JobLedger } from '../../main/jobs/jobLedger';
import { KeyRateLimiter } from '../../main/keys/rateLimiter';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), name));
  dirs.push(d);
  return d;
};

const ledgerModule = resolve(__dirname, '../../main/jobs/jobLedger.ts');
const limiterModule = resolve(__dirname, '../../main/keys/rateLimiter.ts');

/** Submits jobs as the proxy does (record, then confirm with ComfyUI's answer) and says "ok <id>" after each. */
function ledgerWriter(dataDir: string, round: number): string {
  const script = join(tempDir('ledger-writer-'), 'writer.mts');
  writeFileSync(
    script,
    `import { JobLedger } from ${JSON.stringify(ledgerModule)};
const ledger = new JobLedger({ dataDir: ${JSON.stringify(dataDir)}, flushIntervalMs: 3 });
for (let i = 0; ; i++) {
  const promptId = 'r${round}-' + i;
  const owner = 'key' + (i % 3);
  ledger.recordSubmitted({ promptId, owner, ownerName: owner, clientId: 'tab-' + owner, upstream: 'u', number: null, at: i });
  ledger.clientIds.claim('tab-${round}-' + i, owner);
  await new Promise((r) => setImmediate(r));
  ledger.confirmSubmitted(promptId, promptId, i);
  process.stdout.write('ok ' + promptId + '\\n');
  if (i % 7 === 0) ledger.observeWsMessage('u', { type: 'execution_start', data: { prompt_id: promptId, timestamp: i } }, i);
  if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
}
`,
  );
  return script;
}

/** Takes from one bucket on a frozen clock (so each take moves it by exactly one interval) and says "ok" after each. */
function limiterWriter(dataDir: string): string {
  const script = join(tempDir('limiter-writer-'), 'writer.mts');
  writeFileSync(
    script,
    `import { KeyRateLimiter } from ${JSON.stringify(limiterModule)};
const limiter = new KeyRateLimiter({ dataDir: ${JSON.stringify(dataDir)}, flushIntervalMs: 3, now: () => 1_000 });
for (let i = 0; ; i++) {
  if (!limiter.take('requests:k', 1_000_000, 3_600_000, 1_000).allowed) throw new Error('refused');
  process.stdout.write('ok ' + i + '\\n');
  if (i % 5 === 0) await new Promise((r) => setTimeout(r, 1));
}
`,
  );
  return script;
}

describe('kill -9 right after an acknowledgement', () => {
  it('every job the ledger confirmed is there after each kill, with its owner and client id', async () => {
    const dataDir = tempDir('ledger-crash-');
    const confirmed: string[] = [];
    for (const round of [0, 1, 2, 3]) {
      const acknowledged = await killMidBurst(ledgerWriter(dataDir, round), 'ok', 40 + round * 23);
      for (let i = 0; i < acknowledged; i++) confirmed.push(`r${round}-${i}`);
      const ledger = new JobLedger({ dataDir, flushIntervalMs: 0 });
      const missing = confirmed.filter((id) => ledger.ownerOfJob(id) !== `key${Number(id.split('-')[1]) % 3}`);
      expect(missing).toEqual([]);
      expect(ledger.get(`r${round}-0`)?.state).toBe('running'); // a later change of a job survives too
      expect(ledger.clientIds.claim(`tab-${round}-0`, 'someone-else')).toBe(false);
      ledger.close();
    }
  });

  it('every counted request is still counted after each kill', async () => {
    const dataDir = tempDir('limiter-crash-');
    let counted = 0;
    for (const after of [50, 171, 333]) {
      counted += await killMidBurst(limiterWriter(dataDir), 'ok', after);
      const limiter = new KeyRateLimiter({ dataDir, flushIntervalMs: 0, now: () => 1_000 });
      const left = limiter.peek('requests:k', 1_000_000, 3_600_000, 1_000).remaining;
      // The writer may have taken more than the lines read so far when the kill came: at least, never fewer.
      expect(1_000_000 - left).toBeGreaterThanOrEqual(counted);
      counted = 1_000_000 - left;
      limiter.close();
    }
  });
});
