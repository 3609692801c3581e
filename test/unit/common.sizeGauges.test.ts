// Gauges of the maps that grow with input (sizeGauges.ts): summed per name over their owners, read live, and
// registered by the stores the soak watches (docs/limits.md lists the same names).
import { describe, expect, it } from 'vitest';
import { gauge, gaugeSizes } from '../../main/common/sizeGauges';
import { JobLedger } from '../../main/jobs/jobLedger';
import { KeyRateLimiter } from '../../main/keys/rateLimiter';

describe('size gauges', () => {
  it('sum one name over its owners and read each size when asked', () => {
    const a = { items: [1, 2] };
    const b = { items: [3] };
    gauge('test.items', a, (o) => o.items.length);
    gauge('test.items', b, (o) => o.items.length);
    expect(gaugeSizes()['test.items']).toBe(3);
    a.items.push(4);
    expect(gaugeSizes()['test.items']).toBe(4);
  });

  it('are registered by the stores that grow with input', () => {
    const before = gaugeSizes();
    const ledger = new JobLedger();
    const limiter = new KeyRateLimiter();
    ledger.recordSubmitted({ promptId: 'p1', owner: 'k1', ownerName: 'k', clientId: 'c1', upstream: 'u', number: null, at: 1 });
    ledger.clientIds.claim('c1', 'k1');
    limiter.take('requests:k1', 10, 60_000, 1);
    const after = gaugeSizes();
    expect(after['ledger.jobs']).toBe((before['ledger.jobs'] ?? 0) + 1);
    expect(after['ledger.clientIds']).toBe((before['ledger.clientIds'] ?? 0) + 1);
    expect(after['rateLimit.buckets']).toBe((before['rateLimit.buckets'] ?? 0) + 1);
    ledger.close();
    limiter.close();
  });
});
