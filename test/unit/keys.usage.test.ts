import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../main/common/traffic';
import { UsageRecorder } from '../../main/keys/usageRecorder';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'keys-usage-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
function req(over: Partial<RequestRecord>): RequestRecord {
  return { at: T0, method: 'GET', path: '/queue', status: 200, durationMs: 100, keyId: 'k1', keyName: 'one', ...over };
}

describe('usage statistics', () => {
  it('counts successes, failures, durations, per-day totals and last_used per key', () => {
    const u = new UsageRecorder({ dataDir: tempDir(), flushIntervalMs: 0, now: () => T0 + DAY });
    u.onRequest(req({ status: 200, durationMs: 100 }));
    u.onRequest(req({ status: 404, durationMs: 300 }));
    u.onRequest(req({ status: 429, durationMs: 0, at: T0 + DAY }));
    u.onRequest(req({ keyId: 'k2', status: 500 }));
    u.onRequest(req({ keyId: null, keyName: 'admin' }));
    expect(u.get('k1')).toEqual({
      total_requests: 3,
      successful_requests: 1,
      failed_requests: 2,
      total_duration: 0.4,
      last_used: (T0 + DAY) / 1000,
      requests_per_day: { '2026-11-20': 2, '2026-11-21': 1 },
    });
    expect(u.get('k2').failed_requests).toBe(1);
    expect(u.get('k1', 1).requests_per_day).toEqual({ '2026-11-21': 1 });
    expect(u.get('never').total_requests).toBe(0);
  });

  it('nothing is written per request; a flush writes once, and usage survives a restart', () => {
    const dir = tempDir();
    const u = new UsageRecorder({ dataDir: dir, flushIntervalMs: 0, now: () => T0 });
    for (let i = 0; i < 50; i++) u.onRequest(req({}));
    expect(existsSync(join(dir, 'usage.json'))).toBe(false);
    u.close();
    const again = new UsageRecorder({ dataDir: dir, flushIntervalMs: 0, now: () => T0 });
    expect(again.get('k1').total_requests).toBe(50);
    expect(again.lastUsed('k1')).toBe(T0 / 1000);
  });

  it('a read-only recorder (the CLI) never writes', () => {
    const dir = tempDir();
    const u = new UsageRecorder({ dataDir: dir, readOnly: true, flushIntervalMs: 0 });
    u.onRequest(req({}));
    u.close();
    expect(existsSync(join(dir, 'usage.json'))).toBe(false);
  });

  it('per-day history is bounded to the retention period', () => {
    const dir = tempDir();
    let now = T0;
    const u = new UsageRecorder({ dataDir: dir, flushIntervalMs: 0, retentionDays: 90, now: () => now });
    for (let d = 0; d < 120; d++) u.onRequest(req({ at: T0 + d * DAY }));
    now = T0 + 119 * DAY;
    u.flush();
    const stored = JSON.parse(readFileSync(join(dir, 'usage.json'), 'utf8')) as { keys: { k1: { days: object; total_requests: number } } };
    expect(Object.keys(stored.keys.k1.days)).toHaveLength(90);
    expect(stored.keys.k1.total_requests).toBe(120);
  });
});
