// kill -9 of a process in the middle of a burst of audit events leaves a readable log: every event the
// process reported as written is there, in order, nothing else is unreadable but at most one torn
// line, the lock it may have held does not block the next writer, and later entries read fine.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killMidBurst } from '../helpers/killMidBurst';
import { AuditLog, readAuditLog } from '../../main/audit/auditLog';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const logModule = resolve(__dirname, '../../main/audit/auditLog.ts');

function burst(dataDir: string, scriptDir: string, round: number) {
  const script = join(scriptDir, `burst${round}.mts`);
  writeFileSync(
    script,
    `import { AuditLog } from ${JSON.stringify(logModule)};
// Small files so the burst also rotates while it is killed.
const log = new AuditLog({ dataDir: ${JSON.stringify(dataDir)}, maxBytes: 64 * 1024, maxFiles: 50, onError: (e) => { process.stderr.write(e.message); process.exit(3); } });
for (let i = 0; ; i++) {
  log.record('cli', 'key.edited', 'k-${round}', { round: ${round}, i, filler: 'x'.repeat(300) });
  process.stdout.write('wrote ' + i + '\\n');
}
`,
  );
  return script;
}


describe('audit log and kill -9', () => {
  it('stays readable after writers are killed mid-burst, three times over', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'audit-crash-'));
    const scriptDir = mkdtempSync(join(tmpdir(), 'audit-crash-scripts-'));
    dirs.push(dataDir, scriptDir);
    for (let round = 0; round < 3; round++) {
      const acknowledged = await killMidBurst(burst(dataDir, scriptDir, round), 'wrote', 200 + round * 150);
      const { entries, skipped } = readAuditLog(dataDir);
      expect(skipped).toBeLessThanOrEqual(round + 1);
      const mine = entries.filter((e) => e.details.round === round).map((e) => e.details.i as number);
      // Every acknowledged event is there (fsync'd before the ack), in order, with no gaps.
      expect(mine.length).toBeGreaterThanOrEqual(acknowledged);
      expect(mine).toEqual(Array.from({ length: mine.length }, (_, i) => i));
    }
    // The next writer is not blocked by a lock a killed process held, and its entry reads back.
    const log = new AuditLog({ dataDir, onError: (e) => { throw e; } });
    log.record('app', 'key.revoked', 'after', {});
    expect(readAuditLog(dataDir).entries.at(-1)).toMatchObject({ actor: 'app', event: 'key.revoked', target: 'after' });
  }, 120_000);
});
