// The record of each key's uploads (SPEC §8.3 private uploads): newest first, bounded per key and in total
// (one key cannot push the others out), saved with the job ledger and read back after a restart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputUploads } from '../../main/jobs/inputUploads';
import { JobLedger } from '../../main/jobs/jobLedger';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('InputUploads', () => {
  it('lists a key’s uploads newest first; the same path again becomes the newest; the version moves', () => {
    let changes = 0;
    const u = new InputUploads([], () => changes++);
    u.record('a', 'private-a/1.png', 1);
    u.record('a', 'private-a/2.png', 2);
    u.record('b', 'private-b/x.png', 3);
    const v = u.version('a');
    u.record('a', 'private-a/1.png', 4);
    expect(u.of('a')).toEqual(['private-a/1.png', 'private-a/2.png']);
    expect(u.of('b')).toEqual(['private-b/x.png']);
    expect(u.of('nobody')).toEqual([]);
    expect(u.version('a')).toBeGreaterThan(v);
    expect(changes).toBe(4);
  });

  it('a key uploading without end forgets its own oldest, never another key’s; the total is bounded too', () => {
    const u = new InputUploads([{ owner: 'b', path: 'private-b/keep.png', at: 0 }], () => {}, { perOwner: 100, total: 150 });
    for (let i = 0; i < 1000; i++) u.record('a', `private-a/${i}.png`, i + 1);
    expect(u.of('a')).toHaveLength(100);
    expect(u.of('a')[0]).toBe('private-a/999.png');
    expect(u.of('b')).toEqual(['private-b/keep.png']);
    for (let i = 0; i < 100; i++) u.record(`k${i}`, `p${i}`, 2000 + i);
    expect(u.size).toBe(150);
    // The oldest in the whole record went first: b's single upload (time 0) and a's oldest.
    expect(u.of('b')).toEqual([]);
  });

  it('is saved in jobs.json with the ledger and read back after a restart; an older jobs.json without it still opens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cac-uploads-'));
    dirs.push(dir);
    const first = new JobLedger({ dataDir: dir, flushIntervalMs: 0 });
    first.inputUploads.record('a', 'private-a/cat.png', 10);
    first.inputUploads.record('a', 'private-a/dog.png', 20);
    first.close();
    const again = new JobLedger({ dataDir: dir, flushIntervalMs: 0 });
    expect(again.inputUploads.of('a')).toEqual(['private-a/dog.png', 'private-a/cat.png']);
    again.close();

    const file = join(dir, 'jobs.json');
    const old = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete old.uploads;
    writeFileSync(file, JSON.stringify(old));
    const older = new JobLedger({ dataDir: dir, flushIntervalMs: 0 });
    expect(older.inputUploads.of('a')).toEqual([]);
    older.close();
  });
});
