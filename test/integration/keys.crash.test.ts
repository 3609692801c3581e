// A process killed (SIGKILL) in the middle of a burst of key writes never leaves an unreadable
// store or a lock that blocks the next writer.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killMidBurst } from '../helpers/killMidBurst';
import { KeyStore } from '../../main/keys/keyStore';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const storeModule = resolve(__dirname, '../../main/keys/keyStore.ts');

/** A writer script that creates keys as fast as it can, printing a line after each one; returns its path. */
function burstWriter(dataDir: string, scriptDir: string, round: number) {
  const script = join(scriptDir, `burst${round}.mts`);
  writeFileSync(
    script,
    `import { KeyStore } from ${JSON.stringify(storeModule)};
const store = new KeyStore({ dataDir: ${JSON.stringify(dataDir)} });
for (let i = 0; ; i++) {
  await store.create({ name: 'burst-${round}-' + i, metadata: { filler: 'x'.repeat(2000) } });
  process.stdout.write('created ' + i + '\\n');
}
`,
  );
  return script;
}


describe('crash safety of the key store', () => {
  it('SIGKILL during a burst of writes: the store still loads, keeps what was acknowledged, and accepts new writes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keys-crash-'));
    const scriptDir = mkdtempSync(join(tmpdir(), 'keys-crash-script-'));
    dirs.push(dataDir, scriptDir);
    let acknowledgedTotal = 0;
    // Three rounds, each killed at a different point of a different-sized file.
    for (const round of [0, 1, 2]) {
      const acknowledged = await killMidBurst(burstWriter(dataDir, scriptDir, round), 'created', 10 + round * 7);
      acknowledgedTotal += acknowledged;
      const store = new KeyStore({ dataDir });
      const names = store.list().map((k) => k.name);
      // Every acknowledged write is there; at most the one in flight may also have landed.
      expect(names.length).toBeGreaterThanOrEqual(acknowledgedTotal);
      for (let i = 0; i < acknowledged; i++) expect(names).toContain(`burst-${round}-${i}`);
    }
    const store = new KeyStore({ dataDir });

    // A lock left by the dead writer does not block the next one.
    const { secret } = await store.create({ name: 'after-crash' });
    expect(store.authenticate(secret, 'bearer', Date.now()).ok).toBe(true);
    expect(new KeyStore({ dataDir }).list().map((k) => k.name)).toContain('after-crash');
    expect(existsSync(join(dataDir, 'keys.json.lock'))).toBe(false);
    // Temp files of the interrupted write may remain; they never replace keys.json.
    expect(readdirSync(dataDir).filter((f) => !f.endsWith('.tmp')).sort()).toEqual(['keys.json', 'keys.json.bak']);
  });
});
