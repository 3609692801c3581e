// The registry of open responses and WebSockets that revocation walks (openConnections.ts, a linked list since
// issue 27): whatever order connections leave in, the ones left are exactly those still open, each is closed at
// most once, and an owner's newest WebSocket is found by identity.
import { describe, expect, it } from 'vitest';
import type { AuthOutcome } from '../../main/common/principal';
import { OpenConnections, type OpenConnection } from '../../main/proxy/admission/openConnections';

const OK = { ok: true } as unknown as AuthOutcome;
const REVOKED = { ok: false, reason: 'revoked', message: 'revoked' } as AuthOutcome;

function conn(owner: string, valid: { current: boolean }, closed: string[], name: string, clientId?: string): OpenConnection {
  return { owner, clientId, recheck: () => (valid.current ? OK : REVOKED), close: () => closed.push(name) };
}

describe('OpenConnections', () => {
  it('keeps exactly the connections not yet removed, whatever the order they leave in', () => {
    const open = new OpenConnections();
    const valid = { current: true };
    const closed: string[] = [];
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const release = new Map(names.map((n) => [n, open.add(conn('k1', valid, closed, n))]));
    expect(open.size).toBe(6);
    for (const n of ['c', 'a', 'f']) release.get(n)?.();
    release.get('c')?.(); // twice: no effect
    expect(open.size).toBe(3);
    valid.current = false;
    open.recheckAll();
    expect(closed.sort()).toEqual(['b', 'd', 'e']);
    expect(open.size).toBe(0);
    open.recheckAll();
    expect(closed).toHaveLength(3); // each closed once
    release.get('b')?.(); // a late release after revocation removed it: no effect
    expect(open.size).toBe(0);
  });

  it('closes only the connections whose credential fails, and keeps the rest in the list', () => {
    const open = new OpenConnections();
    const alice = { current: true };
    const bob = { current: true };
    const closed: string[] = [];
    open.add(conn('alice', alice, closed, 'a1'));
    open.add(conn('bob', bob, closed, 'b1'));
    const a2 = open.add(conn('alice', alice, closed, 'a2'));
    open.add(conn('bob', bob, closed, 'b2'));
    a2();
    bob.current = false;
    open.recheckAll();
    expect(closed.sort()).toEqual(['b1', 'b2']);
    expect(open.size).toBe(1);
    alice.current = false;
    open.recheckAll();
    expect(closed.sort()).toEqual(['a1', 'b1', 'b2']);
  });

  it("an owner's newest open WebSocket is its default client id, by identity", () => {
    const open = new OpenConnections();
    const valid = { current: true };
    const closed: string[] = [];
    const first = open.add(conn('alice', valid, closed, 'ws1', 'tab'));
    open.add(conn('alice', valid, closed, 'http'));
    const second = open.add(conn('alice', valid, closed, 'ws2', 'tab')); // a reloaded page, same clientId
    first();
    expect(open.newestSocketOf('alice')).toBe('tab');
    second();
    expect(open.newestSocketOf('alice')).toBeUndefined();
    expect(open.size).toBe(1);
  });
});
