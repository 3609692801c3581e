// The journal beside a snapshot (appendLog.ts): lines come back only for the snapshot they follow, a line
// torn by a crash never swallows the next one, and a journal that cannot be started takes no lines that
// a later start would misread.
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppendLog } from '../../main/common/appendLog';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'append-log-'));
  path = join(dir, 'x.journal');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('AppendLog', () => {
  it('gives back what was appended after the snapshot it follows', () => {
    const log = new AppendLog(path);
    expect(log.open(0)).toEqual([]);
    log.append('a');
    log.append('b');
    log.close();
    expect(new AppendLog(path).open(0)).toEqual(['a', 'b']);
  });

  it('starts empty under the next generation once a snapshot is written, and skips an older journal', () => {
    const log = new AppendLog(path);
    log.open(0);
    log.append('in the snapshot');
    log.restart(log.generation + 1);
    log.append('after it');
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('#journal 1\nafter it\n');
    expect(new AppendLog(path).open(1)).toEqual(['after it']);
    // A kill between the snapshot of generation 2 and the journal's restart: its lines are in that snapshot.
    const reopened = new AppendLog(path);
    expect(reopened.open(2)).toEqual([]);
    expect(reopened.generation).toBe(2);
    expect(readFileSync(path, 'utf8')).toBe('#journal 2\n');
  });

  it('keeps a line torn by a crash apart from the next one', () => {
    writeFileSync(path, '#journal 0\n{"whole":1}\n{"torn":');
    const log = new AppendLog(path);
    expect(log.open(0)).toEqual(['{"whole":1}', '{"torn":']);
    log.append('{"next":2}');
    log.close();
    expect(new AppendLog(path).open(0)).toEqual(['{"whole":1}', '{"torn":', '{"next":2}']);
  });

  it('ignores a journal without a header (written by nobody it knows)', () => {
    writeFileSync(path, 'stray\n');
    expect(new AppendLog(path).open(0)).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe('#journal 0\n');
  });

  it('appends nothing while it cannot be started, says so, and starts again at the next snapshot', () => {
    const errors: Error[] = [];
    mkdirSync(path); // a folder where the journal should be: every write fails (EISDIR), also as root
    const log = new AppendLog(path, (e) => errors.push(e));
    expect(log.open(0)).toEqual([]);
    log.append('not written under no header');
    log.append('again');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.length).toBeLessThanOrEqual(2); // the failed read and the failed start, not one per line
    expect(errors.every((e) => e.message.includes('x.journal'))).toBe(true);
    rmdirSync(path);
    log.restart(1);
    log.append('works again');
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('#journal 1\nworks again\n');
  });
});
