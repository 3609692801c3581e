// The fair queue's bookkeeping: per-principal and total limits, FIFO within a principal, round-robin across
// principals, the bounded waiting room, cancellation, and no memory kept for idle principals.
import { describe, expect, it } from 'vitest';
import { FairQueue, type Release } from '../../main/proxy/admission/fairQueue';

function harness(limits = { perPrincipal: 2, total: 100, maxWaiting: 100 }) {
  const q = new FairQueue(limits);
  const started: string[] = [];
  const releases = new Map<string, Release>();
  const enter = (lane: string, name: string) =>
    q.enter(lane, (release) => {
      started.push(name);
      releases.set(name, release);
    });
  const release = (name: string) => releases.get(name)?.();
  return { q, started, enter, release };
}

describe('FairQueue', () => {
  it('starts at once while the principal has room, then queues in FIFO order', () => {
    const { q, started, enter, release } = harness();
    expect(enter('a', 'a1')?.queued).toBe(false);
    enter('a', 'a2');
    expect(enter('a', 'a3')?.queued).toBe(true);
    enter('a', 'a4');
    expect(started).toEqual(['a1', 'a2']);
    expect(q.stats()).toMatchObject({ active: 2, waiting: 2 });
    release('a1');
    expect(started).toEqual(['a1', 'a2', 'a3']);
    release('a1'); // a second release of the same slot changes nothing
    expect(started).toEqual(['a1', 'a2', 'a3']);
  });

  it('one principal at its limit never holds up another', () => {
    const { started, enter } = harness();
    for (let i = 0; i < 50; i++) enter('greedy', `g${i}`);
    expect(enter('polite', 'p1')?.queued).toBe(false);
    expect(started).toEqual(['g0', 'g1', 'p1']);
  });

  it('serves waiting principals round-robin when the total is the bottleneck', () => {
    const { started, enter, release } = harness({ perPrincipal: 10, total: 1, maxWaiting: 100 });
    enter('a', 'a0');
    for (let i = 1; i <= 3; i++) enter('a', `a${i}`);
    enter('b', 'b1');
    enter('b', 'b2');
    enter('c', 'c1');
    for (const name of ['a0', 'a1', 'b1', 'c1', 'a2', 'b2']) release(name);
    expect(started).toEqual(['a0', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('refuses beyond the waiting room, and a cancelled waiter frees its place and never starts', () => {
    const { q, started, enter, release } = harness({ perPrincipal: 1, total: 10, maxWaiting: 2 });
    enter('a', 'a0');
    const a1 = enter('a', 'a1');
    enter('b', 'b0');
    enter('b', 'b1');
    expect(enter('c', 'c-waits')?.queued).toBe(false); // c has room: no waiting needed
    expect(enter('a', 'a2')).toBeNull();
    a1?.cancel();
    expect(q.stats().waiting).toBe(1);
    expect(enter('a', 'a3')?.queued).toBe(true);
    release('a0');
    expect(started).toEqual(['a0', 'b0', 'c-waits', 'a3']);
  });

  it('forgets principals with nothing in flight and nobody waiting', () => {
    const { q, enter, release } = harness();
    enter('a', 'a1');
    const w = enter('b', 'b1');
    enter('b', 'b2');
    const waiting = enter('b', 'b3');
    waiting?.cancel();
    release('a1');
    release('b1');
    release('b2');
    expect(w?.queued).toBe(false);
    expect(q.stats()).toEqual({ active: 0, waiting: 0, lanes: 0 });
  });
});
