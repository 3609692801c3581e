// The audit log on real files: append order, size rotation with a bounded count, retention by age,
// torn lines skipped without losing the next entry, the CSV writer read back by a real CSV parser.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, readAuditLog } from '../../main/audit/auditLog';
import { auditRows, AUDIT_COLUMNS, filterAudit, parseSince } from '../../main/audit/auditQuery';
import { csvCell, toCsv } from '../../main/common/csv';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'audit-log-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const DAY = 86_400_000;

describe('audit log', () => {
  it('appends entries in order with time, actor, event, target and details, one line each, mode 0600', () => {
    const dir = tempDir();
    let now = T0;
    const log = new AuditLog({ dataDir: dir, now: () => now });
    log.record('cli', 'key.created', 'k1', { name: 'bot', scopes: ['generate'] });
    now += 1000;
    log.record('anonymous', 'login.failed', null, { reason: 'invalid' });
    const text = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(statSync(join(dir, 'audit.jsonl')).mode & 0o777).toBe(0o600);
    expect(log.read()).toEqual({
      skipped: 0,
      entries: [
        { time: '2026-11-20T09:00:00.000Z', actor: 'cli', event: 'key.created', target: 'k1', details: { name: 'bot', scopes: ['generate'] } },
        { time: '2026-11-20T09:00:01.000Z', actor: 'anonymous', event: 'login.failed', target: null, details: { reason: 'invalid' } },
      ],
    });
  });

  it('rotates by size into audit.1…N.jsonl, keeps at most N rotated files, and reads them oldest first', () => {
    const dir = tempDir();
    const log = new AuditLog({ dataDir: dir, now: () => T0, maxBytes: 1000, maxFiles: 3 });
    for (let i = 0; i < 60; i++) log.record('app', 'key.edited', `k${i}`, { name: 'x'.repeat(50), n: i });
    const files = readdirSync(dir).filter((f) => f.startsWith('audit.') && f.endsWith('.jsonl')).sort();
    expect(files).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.3.jsonl', 'audit.jsonl']);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(1000);
    const { entries } = readAuditLog(dir);
    const ns = entries.map((e) => e.details.n as number);
    // The oldest files were dropped; what is left is the newest entries, in order, ending with the last.
    expect(ns.length).toBeLessThan(60);
    expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => 60 - ns.length + i));
  });

  it('retention deletes rotated files and lines older than the cutoff, and keeps the rest', () => {
    const dir = tempDir();
    let now = T0;
    const log = new AuditLog({ dataDir: dir, now: () => now, maxBytes: 600, maxFiles: 9 });
    for (let d = 0; d < 10; d++) {
      now = T0 + d * DAY;
      for (let i = 0; i < 3; i++) log.record('app', 'settings.changed', 'settings', { day: d, i });
    }
    const before = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length;
    now = T0 + 9 * DAY;
    const result = log.prune(T0 + 5 * DAY); // keep days 5…9
    const { entries, skipped } = log.read();
    expect(skipped).toBe(0);
    expect(entries.map((e) => e.details.day)).toEqual([5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
    expect(result.removedEntries).toBe(15);
    expect(result.removedFiles).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).length).toBeLessThan(before);
    // New entries still append after a prune.
    log.record('cli', 'key.revoked', 'k1', {});
    expect(log.read().entries.at(-1)?.event).toBe('key.revoked');
  });

  it('a torn last line (a crash mid-write) is skipped on read and the next entry stays readable', () => {
    const dir = tempDir();
    const log = new AuditLog({ dataDir: dir, now: () => T0 });
    log.record('app', 'key.created', 'k1', {});
    appendFileSync(join(dir, 'audit.jsonl'), '{"time":"2026-11-20T09:00:00.000Z","actor":"app","ev');
    expect(log.read()).toMatchObject({ skipped: 1, entries: [{ target: 'k1' }] });
    log.record('app', 'key.revoked', 'k1', {});
    const read = log.read();
    expect(read.skipped).toBe(1);
    expect(read.entries.map((e) => e.event)).toEqual(['key.created', 'key.revoked']);
    // Garbage of other kinds is skipped too, never thrown.
    appendFileSync(join(dir, 'audit.jsonl'), 'not json\n{"time":"x","actor":"a","event":"login","target":null,"details":{}}\n[]\n');
    expect(log.read().skipped).toBe(4);
  });

  it('a failed write is reported, not thrown (the action it records already happened)', () => {
    const dir = tempDir();
    const errors: Error[] = [];
    const log = new AuditLog({ dataDir: join(dir, 'audit.jsonl', 'nested'), onError: (e) => errors.push(e) });
    appendFileSync(join(dir, 'audit.jsonl'), ''); // a file where the folder should be
    expect(() => log.record('app', 'login', 'k', {})).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(existsSync(join(dir, 'audit.jsonl', 'nested'))).toBe(false);
  });
});

describe('audit queries', () => {
  it('parses --since as a date, a date-time or an age', () => {
    expect(parseSince('2026-11-01', T0)).toBe(Date.UTC(2026, 10, 1));
    expect(parseSince('2026-11-01T12:30:00Z', T0)).toBe(Date.UTC(2026, 10, 1, 12, 30));
    expect(parseSince('7d', T0)).toBe(T0 - 7 * DAY);
    expect(parseSince('12h', T0)).toBe(T0 - 12 * 3_600_000);
    expect(() => parseSince('last week', T0)).toThrow(/Invalid "since"/);
    expect(() => parseSince('2026-13-45', T0)).toThrow(/Invalid "since"/);
  });

  it('filters by since, event, actor and text, and keeps the newest N in time order', () => {
    const dir = tempDir();
    let now = T0;
    const log = new AuditLog({ dataDir: dir, now: () => now });
    log.record('cli', 'key.created', 'k1', { name: 'alpha' });
    now += DAY;
    log.record('app', 'key.created', 'k2', { name: 'beta' });
    log.record('app', 'key.revoked', 'k1', { name: 'alpha' });
    const { entries } = log.read();
    expect(filterAudit(entries, { sinceMs: T0 + DAY }).map((e) => e.target)).toEqual(['k2', 'k1']);
    expect(filterAudit(entries, { event: 'key.created' }).map((e) => e.target)).toEqual(['k1', 'k2']);
    expect(filterAudit(entries, { actor: 'app', text: 'ALPHA' }).map((e) => e.event)).toEqual(['key.revoked']);
    expect(filterAudit(entries, { limit: 2 }).map((e) => e.event)).toEqual(['key.created', 'key.revoked']);
  });
});

describe('CSV', () => {
  it('escapes quotes, commas and newlines and guards formulas; a real parser reads back the same rows', () => {
    const names = ['plain', 'with, comma', 'with "quotes"', 'two\nlines', '=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tTAB', ' spaced '];
    const rows = names.map((name, i) => ({ name, n: i, gpu: i * 1.5, none: null }));
    const text = toCsv(['name', 'n', 'gpu', 'none'], rows);
    const parsed = parse(text, { columns: true }) as Record<string, string>[];
    expect(parsed).toHaveLength(names.length);
    parsed.forEach((row, i) => {
      const unguarded = row.name!.startsWith("'") && /^'[=+\-@\t\r]/.test(row.name!) ? row.name!.slice(1) : row.name;
      expect(unguarded).toBe(names[i]);
      expect(Number(row.n)).toBe(i);
      expect(Number(row.gpu)).toBe(i * 1.5);
      expect(row.none).toBe('');
    });
    for (const row of parsed) expect(row.name).not.toMatch(/^[=+\-@\t]/);
    expect(csvCell(-3)).toBe('-3'); // numbers are numbers, never guarded
  });

  it('audit rows keep details as JSON text that parses back to the entry', () => {
    const dir = tempDir();
    const log = new AuditLog({ dataDir: dir, now: () => T0 });
    log.record('app', 'key.edited', 'k1', { name: '=cmd|"/c calc"!A0, "x"', fields: ['name'] });
    const { entries } = log.read();
    const parsed = parse(toCsv(AUDIT_COLUMNS, auditRows(entries)), { columns: true }) as Record<string, string>[];
    expect(JSON.parse(parsed[0]!.details!)).toEqual(entries[0]!.details);
    expect(parsed[0]).toMatchObject({ time: entries[0]!.time, actor: 'app', event: 'key.edited', target: 'k1' });
  });
});
