// The fair order's numbers (SPEC §12) on a real job ledger, step by step: the worked example of docs/jobs.md
// ("Fair order of the shared queue"), admin's front, the estimate from the owner's recent jobs, the idle rule,
// giving a refused job's turn back, and the rebuild after a restart.
import { describe, expect, it } from 'vitest';
import { JobLedger } from '../../main/jobs/jobLedger';
import { ADMIN_OWNER } from '../../main/jobs/types';
import { FairOrder } from '../../main/proxy/sharing/fairOrder';
import { COST_SAMPLE, DEFAULT_COST_MS, estimateGpuMs, MIN_COST_MS } from '../../main/proxy/sharing/gpuCost';

const U = 'http://gpu-box:8188';
let t = Date.UTC(2031, 0, 1);
let n = 0;

/** A job of `owner` that ran for `ms` (what the estimate reads). */
function ran(ledger: JobLedger, owner: string, ms: number): void {
  const id = `past-${++n}`;
  ledger.recordSubmitted({ promptId: id, owner, ownerName: owner, clientId: null, upstream: U, number: null, at: t });
  ledger.confirmSubmitted(id, id, -1);
  ledger.observeWsMessage(U, { type: 'execution_start', data: { prompt_id: id } }, t);
  ledger.observeWsMessage(U, { type: 'executing', data: { node: '3', prompt_id: id } }, t);
  ledger.observeWsMessage(U, { type: 'execution_success', data: { prompt_id: id } }, (t += ms));
}

/** What promptSubmission does with a job: place it, record it, and ComfyUI accepts it with that number. */
function queue(ledger: JobLedger, order: FairOrder, id: string, owner: string, share = 1, body: Record<string, unknown> = {}): number {
  const place = order.placer({ admin: owner === ADMIN_OWNER, owner, share }, body)(U);
  ledger.recordSubmitted({ promptId: id, owner, ownerName: owner, clientId: null, upstream: U, number: null, share: place.share, estimatedMs: place.estimatedMs, at: t });
  ledger.confirmSubmitted(id, id, body.number as number);
  return body.number as number;
}

function runOrder(ledger: JobLedger): string[] {
  return ledger
    .list({ states: ['pending'], limit: 1000 })
    .sort((a, b) => (a.number as number) - (b.number as number) || (a.promptId < b.promptId ? -1 : 1))
    .map((j) => j.promptId);
}

describe('fair order', () => {
  it('the worked example: alice queues 4 long jobs, bob 3 short ones while her first runs, carol (share 2) 2', () => {
    const ledger = new JobLedger();
    ran(ledger, 'alice', 20_000);
    ran(ledger, 'bob', 10_000);
    ran(ledger, 'carol', 20_000);
    const order = new FairOrder(ledger);
    // The past jobs carry ComfyUI's own numbers, not fair start times: they only feed the estimates.
    expect(order.state(U)).toEqual({ virtualTime: 0, finish: {} });
    const numbers: Record<string, number> = {};
    for (const id of ['a1', 'a2', 'a3', 'a4']) numbers[id] = queue(ledger, order, id, 'alice');
    ledger.observeWsMessage(U, { type: 'execution_start', data: { prompt_id: 'a1' } }, t);
    for (const id of ['b1', 'b2', 'b3']) numbers[id] = queue(ledger, order, id, 'bob');
    for (const id of ['c1', 'c2']) numbers[id] = queue(ledger, order, id, 'carol', 2);
    expect(numbers).toEqual({
      a1: 0, a2: 20.0000001, a3: 40.0000002, a4: 60.0000003,
      b1: 0.0000004, b2: 10.0000005, b3: 20.0000006,
      c1: 0.0000007, c2: 10.0000008,
    });
    expect(runOrder(ledger)).toEqual(['b1', 'c1', 'b2', 'c2', 'a2', 'b3', 'a3', 'a4']);
    expect(order.state(U)).toEqual({ virtualTime: 0, finish: { alice: 80, bob: 30, carol: 20 } });
  });

  it('the estimate is the mean of the owner’s last jobs, else anyone’s (the default standing in for jobs not run yet); cached jobs count 0; within bounds', () => {
    const ledger = new JobLedger();
    expect(estimateGpuMs(ledger, 'k1')).toBe(DEFAULT_COST_MS);
    ran(ledger, 'k2', 4_000);
    // One measured job of 20 moves a newcomer's estimate a twentieth of the way, not all the way at once.
    expect(estimateGpuMs(ledger, 'k1')).toBe((4_000 + (COST_SAMPLE - 1) * DEFAULT_COST_MS) / COST_SAMPLE);
    for (let i = 1; i < COST_SAMPLE; i++) ran(ledger, 'k2', 4_000);
    expect(estimateGpuMs(ledger, 'k1')).toBe(4_000);
    ran(ledger, 'k1', 30_000);
    ran(ledger, 'k1', 60_000);
    expect(estimateGpuMs(ledger, 'k1')).toBe(45_000);
    ran(ledger, 'k3', 1);
    expect(estimateGpuMs(ledger, 'k3')).toBe(MIN_COST_MS);
  });

  it("admin's front goes below everything waiting (the newest front first); admin's own number is sent as is", () => {
    const ledger = new JobLedger();
    const order = new FairOrder(ledger);
    for (const id of ['a1', 'a2']) queue(ledger, order, id, 'alice');
    const front1 = queue(ledger, order, 'f1', ADMIN_OWNER, 1, { front: true });
    const front2 = queue(ledger, order, 'f2', ADMIN_OWNER, 1, { front: 1 });
    expect(front1).toBeLessThan(0);
    expect(front2).toBeLessThan(front1);
    expect(runOrder(ledger).slice(0, 2)).toEqual(['f2', 'f1']);
    const mine = { number: 5, front: true };
    const place = order.placer({ admin: true, owner: ADMIN_OWNER, share: 1 }, mine)(U);
    expect(place.number).toBeNull();
    expect(mine).toEqual({ number: 5, front: true });
  });

  it('a principal alone is not charged for it later: once nothing waits, everyone starts even', () => {
    const ledger = new JobLedger();
    const order = new FairOrder(ledger);
    for (const id of ['a1', 'a2', 'a3']) queue(ledger, order, id, 'alice');
    for (const id of ['a1', 'a2', 'a3']) {
      ledger.observeWsMessage(U, { type: 'execution_start', data: { prompt_id: id } }, t);
      ledger.observeWsMessage(U, { type: 'execution_success', data: { prompt_id: id } }, (t += 1000));
    }
    const bob = queue(ledger, order, 'b1', 'bob');
    const alice = queue(ledger, order, 'a4', 'alice');
    expect(Math.abs(alice - bob)).toBeLessThan(0.001);
  });

  it('a job the upstream refused gives its turn back', () => {
    const ledger = new JobLedger();
    const order = new FairOrder(ledger);
    queue(ledger, order, 'a1', 'alice');
    const place = order.placer({ admin: false, owner: 'alice', share: 1 }, {})(U);
    place.release();
    const again = order.placer({ admin: false, owner: 'alice', share: 1 }, {})(U);
    expect(Math.round(again.number as number)).toBe(Math.round(place.number as number));
  });

  it('a new FairOrder on the same ledger (a restart) goes on with the same clock and finish times', () => {
    const ledger = new JobLedger();
    const order = new FairOrder(ledger);
    for (const id of ['a1', 'a2', 'a3']) queue(ledger, order, id, 'alice');
    ledger.observeWsMessage(U, { type: 'execution_start', data: { prompt_id: 'a1' } }, t);
    queue(ledger, order, 'b1', 'bob', 2);
    const restarted = new FairOrder(ledger);
    const [was, is] = [order.state(U), restarted.state(U)];
    expect(is.virtualTime).toBe(was.virtualTime);
    expect(Object.keys(is.finish).sort()).toEqual(['alice', 'bob']);
    for (const owner of ['alice', 'bob']) expect(is.finish[owner]).toBeCloseTo(was.finish[owner] as number, 5);
    expect(queue(ledger, restarted, 'a4', 'alice')).toBeCloseTo(30, 3);
  });
});
