// The head rule's settings and its log (slowClients.ts): Node's head timer set explicitly next to
// requestTimeout 0, checked often enough to close near the limit, and closes told once, then summed up once
// a minute, on fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HEAD_TIMEOUT_MS, SlowClients } from '../../main/proxy/slowClients';

describe('server options', () => {
  it('keep a 30 s head limit while a whole request has none, checked every 5 s', () => {
    expect(new SlowClients(undefined).serverOptions).toEqual({ headersTimeout: 30_000, requestTimeout: 0, connectionsCheckingInterval: 5_000 });
    expect(HEAD_TIMEOUT_MS).toBe(30_000);
  });

  it('check a shortened limit proportionally (tests), never in a busy loop', () => {
    expect(new SlowClients(400).serverOptions.connectionsCheckingInterval).toBe(66);
    expect(new SlowClients(20).serverOptions.connectionsCheckingInterval).toBe(10);
  });
});

describe('the log of closes', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('tells the first close at once, sums up the next ones a minute later, and counts all', () => {
    const lines: string[] = [];
    const rule = new SlowClients(30_000, (m) => lines.push(m));
    rule.closed('127.0.0.1');
    expect(lines).toEqual(['closed a connection from 127.0.0.1 that did not send a complete request head within 30 s (slow client); more are summed up once a minute']);
    vi.advanceTimersByTime(1_000);
    for (let i = 0; i < 99; i++) rule.closed('127.0.0.1');
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(58_999);
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(1); // a minute after the first line
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('closed 99 more connections for a request head slower than 30 s (100 since start)');
    expect(rule.total).toBe(100);
    // Quiet for a while: nothing more; the next close is told at once again.
    vi.advanceTimersByTime(300_000);
    expect(lines).toHaveLength(2);
    rule.closed('');
    expect(lines[2]).toMatch(/^closed a connection that did not send/);
    rule.close();
  });

  it('leaves no timer behind once closed', () => {
    const lines: string[] = [];
    const rule = new SlowClients(30_000, (m) => lines.push(m));
    rule.closed('a');
    rule.closed('b');
    rule.close();
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
