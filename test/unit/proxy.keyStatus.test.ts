// The queue view a key's sockets get (main/proxy/ws/keyStatus.ts): own jobs, others' jobs, and how many of
// others' ComfyUI will run before the key's next one, in ComfyUI's order (lowest number first).
import { describe, expect, it } from 'vitest';
import { keyStatusData, queueViewOf } from '../../main/proxy/ws/keyStatus';
import { ADMIN_OWNER, FOREIGN_OWNER, type Job, type JobState } from '../../main/jobs/types';

let n = 0;
function job(owner: string, state: JobState, number: number | null, upstream = 'u1'): Job {
  n += 1;
  return { promptId: `p${n}`, owner, ownerName: null, clientId: null, upstream, number, state, queuedAt: n, startedAt: null, finishedAt: null, outputs: [], error: null, workflowName: null };
}

describe('queueViewOf', () => {
  it('counts ahead by ComfyUI’s order: running first, then lower numbers (admin’s front is negative); unconfirmed last', () => {
    const active = [job('alice', 'running', 1), job('bob', 'pending', 3), job('alice', 'pending', 2), job('alice', 'pending', 4), job(ADMIN_OWNER, 'pending', -1), job('carol', 'pending', null)];
    expect(queueViewOf(active, 'bob')).toEqual({ own: 1, othersRemaining: 5, othersAhead: 3 });
    expect(queueViewOf(active, 'carol')).toEqual({ own: 1, othersRemaining: 5, othersAhead: 5 });
    expect(queueViewOf(active, 'alice')).toEqual({ own: 3, othersRemaining: 3, othersAhead: 0 });
  });

  it('takes the key’s job that starts soonest across upstreams, and leaves foreign jobs out', () => {
    const active = [job('alice', 'running', 1, 'u1'), job('alice', 'pending', 2, 'u1'), job('bob', 'pending', 3, 'u1'), job('bob', 'pending', 9, 'u2'), job(FOREIGN_OWNER, 'running', 1, 'u2')];
    expect(queueViewOf(active, 'bob')).toEqual({ own: 2, othersRemaining: 2, othersAhead: 0 });
    expect(queueViewOf([], 'bob')).toEqual({ own: 0, othersRemaining: 0, othersAhead: 0 });
  });

  it('rewrites only exec_info, keeping sid and every other field', () => {
    const data = { status: { exec_info: { queue_remaining: 7, extra: true } }, sid: 'abc', marker: 1 };
    expect(keyStatusData(data, { own: 1, othersRemaining: 6, othersAhead: 2 })).toEqual({
      status: { exec_info: { queue_remaining: 1, extra: true, others_remaining: 6, others_ahead: 2 } },
      sid: 'abc',
      marker: 1,
    });
  });
});
