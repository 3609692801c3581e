import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobLedger } from '../../main/jobs/jobLedger';
import { ADMIN_OWNER, FOREIGN_OWNER, type JobEvent } from '../../main/jobs/types';

const U = 'http://127.0.0.1:8188';
const dirs: string[] = [];
const ledgers: JobLedger[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'jobs-'));
  dirs.push(d);
  return d;
}
function ledger(options: ConstructorParameters<typeof JobLedger>[0] = {}): JobLedger {
  const l = new JobLedger({ flushIntervalMs: 0, ...options });
  ledgers.push(l);
  return l;
}
afterEach(() => {
  for (const l of ledgers.splice(0)) l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const msg = (type: string, data: Record<string, unknown>) => ({ type, data });
function submit(l: JobLedger, promptId: string, owner: string, at = 1000) {
  return l.recordSubmitted({ promptId, owner, ownerName: owner, clientId: `c-${owner}`, upstream: U, number: null, at });
}

describe('job ledger', () => {
  it('follows a job from queued to success with its outputs, times and owner', () => {
    const l = ledger();
    const events: JobEvent[] = [];
    l.subscribe((e) => events.push(e));
    submit(l, 'p1', 'keyA');
    expect(l.activeCount('keyA')).toBe(1);
    l.observeWsMessage(U, msg('execution_start', { prompt_id: 'p1' }), 2000);
    expect(l.runningOn(U)?.promptId).toBe('p1');
    l.observeWsMessage(U, msg('executing', { node: '3', prompt_id: 'p1' }), 2100);
    l.observeWsMessage(U, msg('executed', { node: '9', prompt_id: 'p1', output: { images: [{ filename: 'a.png', subfolder: '', type: 'output' }, { filename: 't.png', subfolder: 'x', type: 'temp' }] } }), 2500);
    l.observeWsMessage(U, msg('execution_success', { prompt_id: 'p1' }), 3000);
    const job = l.get('p1');
    expect(job).toMatchObject({ state: 'success', owner: 'keyA', queuedAt: 1000, startedAt: 2000, finishedAt: 3000 });
    expect(l.activeCount('keyA')).toBe(0);
    expect(l.runningOn(U)).toBeUndefined();
    expect(l.ownsOutput('keyA', 'output', '', 'a.png')).toBe(true);
    expect(l.ownsOutput('keyA', 'temp', 'x', 't.png')).toBe(true);
    expect(l.ownsOutput('keyB', 'output', '', 'a.png')).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['queued', 'started', 'finished']);
    expect(events[2]?.job.finishedAt).toBe(3000);
  });

  it('calls a job that ran no node "cached", and records errors and interruptions with their reason', () => {
    const l = ledger();
    for (const id of ['c', 'e', 'i']) submit(l, id, 'k');
    l.observeWsMessage(U, msg('execution_start', { prompt_id: 'c' }), 1);
    l.observeWsMessage(U, msg('execution_cached', { prompt_id: 'c', nodes: ['1', '2'] }), 2);
    l.observeWsMessage(U, msg('execution_success', { prompt_id: 'c' }), 3);
    l.observeWsMessage(U, msg('execution_start', { prompt_id: 'e' }), 4);
    l.observeWsMessage(U, msg('execution_error', { prompt_id: 'e', exception_message: 'CUDA out of memory' }), 5);
    l.observeWsMessage(U, msg('execution_start', { prompt_id: 'i' }), 6);
    l.observeWsMessage(U, msg('execution_interrupted', { prompt_id: 'i' }), 7);
    expect(['c', 'e', 'i'].map((id) => l.get(id)?.state)).toEqual(['cached', 'error', 'interrupted']);
    expect(l.get('e')?.error).toBe('CUDA out of memory');
    expect(l.activeCount('k')).toBe(0);
  });

  it('older ComfyUI: `executing` with node null ends the prompt', () => {
    const l = ledger();
    submit(l, 'old', 'k');
    l.observeWsMessage(U, msg('executing', { node: '5', prompt_id: 'old' }), 10);
    l.observeWsMessage(U, msg('executing', { node: null, prompt_id: 'old' }), 20);
    expect(l.get('old')).toMatchObject({ state: 'success', startedAt: 10, finishedAt: 20 });
  });

  it('marks jobs it never saw queued as foreign (admin only), and lets a late submission claim them', () => {
    const l = ledger();
    l.observeWsMessage(U, msg('progress', { prompt_id: 'f', value: 1, max: 10, node: '3' }), 5);
    expect(l.ownerOfJob('f')).toBe(FOREIGN_OWNER);
    expect(l.runningOn(U)?.promptId).toBe('f');
    // The WS message overtook ComfyUI's HTTP answer: the submission still owns the job and keeps its state.
    submit(l, 'f', 'keyA', 1);
    expect(l.get('f')).toMatchObject({ owner: 'keyA', state: 'running', startedAt: 5 });
    expect(l.activeCount('keyA')).toBe(1);
    expect(l.activeCount(FOREIGN_OWNER)).toBe(0);
  });

  it('re-keys a job when an older ComfyUI ignored the proxy-chosen prompt id, and drops refused ones', () => {
    const l = ledger();
    submit(l, 'chosen', 'k');
    l.confirmSubmitted('chosen', 'server-made', 7);
    expect(l.get('chosen')).toBeUndefined();
    expect(l.get('server-made')).toMatchObject({ owner: 'k', number: 7 });
    submit(l, 'refused', 'k');
    expect(l.activeCount('k')).toBe(2);
    l.submissionFailed('refused');
    expect(l.get('refused')).toBeUndefined();
    expect(l.activeCount('k')).toBe(1);
  });

  it('deleted pending jobs leave the count; a down upstream fails its pending and running jobs', () => {
    const l = ledger();
    submit(l, 'a', 'k');
    submit(l, 'b', 'k');
    submit(l, 'c', 'k');
    l.observeWsMessage(U, msg('execution_start', { prompt_id: 'a' }), 2);
    l.markDeleted(['a', 'b'], 3);
    expect(l.get('a')?.state).toBe('running'); // ComfyUI does not delete a running job from the queue
    expect(l.get('b')?.state).toBe('deleted');
    const failed = l.failUpstream(U, 'ComfyUI at 127.0.0.1:8188 stopped answering', 4);
    expect(failed.map((j) => j.promptId).sort()).toEqual(['a', 'c']);
    expect(l.get('c')).toMatchObject({ state: 'error', error: 'ComfyUI at 127.0.0.1:8188 stopped answering' });
    expect(l.activeCount('k')).toBe(0);
  });

  it('fills outputs and final states from /history', () => {
    const l = ledger();
    submit(l, 'h', 'k');
    l.observeHistory(U, { h: { outputs: { '9': { images: [{ filename: 'h.png', subfolder: 'day', type: 'output' }] } }, status: { status_str: 'success', completed: true, messages: [] } } }, 50);
    expect(l.get('h')).toMatchObject({ state: 'success', finishedAt: 50 });
    expect(l.ownsOutput('k', 'output', 'day', 'h.png')).toBe(true);
    // Another upstream's history does not touch this job.
    l.observeHistory('http://other', { h: { outputs: { '9': { images: [{ filename: 'z.png', subfolder: '', type: 'output' }] } } } }, 60);
    expect(l.ownsOutput('k', 'output', '', 'z.png')).toBe(false);
  });

  it('is bounded: the oldest finished jobs go first, and their files stop being viewable', () => {
    const l = ledger({ maxJobs: 3 });
    submit(l, 'old', 'k');
    l.observeWsMessage(U, msg('executed', { prompt_id: 'old', output: { images: [{ filename: 'old.png', subfolder: '', type: 'output' }] } }), 1);
    l.observeWsMessage(U, msg('execution_success', { prompt_id: 'old' }), 2);
    submit(l, 'p1', 'k');
    submit(l, 'p2', 'k');
    submit(l, 'p3', 'k');
    expect(l.get('old')).toBeUndefined();
    expect(l.ownsOutput('k', 'output', '', 'old.png')).toBe(false);
    expect(l.list({ owner: 'k' }).map((j) => j.promptId)).toEqual(['p3', 'p2', 'p1']);
    expect(l.activeCount('k')).toBe(3);
  });

  it('survives a restart (jobs, owners, files, client ids), and sets a corrupt file aside instead of failing', () => {
    const dir = tempDir();
    const first = ledger({ dataDir: dir });
    submit(first, 'p', 'keyA');
    first.observeWsMessage(U, msg('executed', { prompt_id: 'p', output: { images: [{ filename: 'p.png', subfolder: '', type: 'output' }] } }), 5);
    expect(first.clientIds.claim('cid-1', 'keyA')).toBe(true);
    first.close();
    const second = ledger({ dataDir: dir });
    expect(second.ownerOfJob('p')).toBe('keyA');
    expect(second.ownsOutput('keyA', 'output', '', 'p.png')).toBe(true);
    expect(second.activeCount('keyA')).toBe(1);
    expect(second.clientIds.claim('cid-1', 'keyB')).toBe(false);
    expect(second.clientIds.claim('cid-1', 'keyA')).toBe(true);
    second.close();
    writeFileSync(join(dir, 'jobs.json'), '{"version":1,"jobs":[{"promptId":');
    const errors: string[] = [];
    const third = ledger({ dataDir: dir, onError: (e) => errors.push(e.message) });
    expect(third.list()).toEqual([]);
    expect(errors[0]).toMatch(/unreadable; it was moved to .*jobs\.json\.corrupt-/);
    expect(readdirSync(dir).some((f) => f.startsWith('jobs.json.corrupt-'))).toBe(true);
    submit(third, 'after', ADMIN_OWNER);
    third.flush();
    expect(JSON.parse(readFileSync(join(dir, 'jobs.json'), 'utf8')).jobs[0].promptId).toBe('after');
  });

  it('ignores garbage messages from custom nodes', () => {
    const l = ledger();
    for (const m of [msg('executing', {}), msg('progress', { prompt_id: 42 }), msg('crystools.monitor', { cpu: 1 }), msg('executed', { prompt_id: 'x'.repeat(500) })]) {
      l.observeWsMessage(U, m, 1);
    }
    l.observeHistory(U, [1, 2, 3], 1);
    l.observeHistory(U, null, 1);
    expect(l.list()).toEqual([]);
  });
});

describe('job ledger: acceptance', () => {
  it("tells listeners when ComfyUI accepted a job, with its number and the share and estimate it was placed with", () => {
    const l = ledger();
    const events: JobEvent[] = [];
    l.subscribe((e) => events.push(e));
    l.recordSubmitted({ promptId: 'p1', owner: 'keyA', ownerName: 'a', clientId: null, upstream: U, number: null, share: 2, estimatedMs: 4000, at: 1000 });
    l.confirmSubmitted('p1', 'p1', 12.5);
    expect(events.map((e) => [e.type, e.job.number])).toEqual([['queued', null], ['accepted', 12.5]]);
    expect(l.get('p1')).toMatchObject({ number: 12.5, share: 2, estimatedMs: 4000 });
  });
});

describe('job progress (what the monitor shows while a job runs)', () => {
  it('follows node switches and sampler steps, ignores a relayed duplicate, fills the last bar on success', () => {
    const l = ledger();
    const lifecycle: string[] = [];
    const withProgress: string[] = [];
    l.subscribe((e) => lifecycle.push(e.type));
    l.subscribe((e) => withProgress.push(e.type), { progress: true });
    submit(l, 'p1', 'keyA');
    l.observeWsMessage(U, msg('execution_start', { prompt_id: 'p1' }), 2000);
    expect(l.progressOf('p1')).toBeUndefined();
    l.observeWsMessage(U, msg('executing', { node: '3', prompt_id: 'p1' }), 2100);
    l.observeWsMessage(U, msg('executing', { node: '3', prompt_id: 'p1' }), 2100); // a second socket's copy
    l.observeWsMessage(U, msg('progress', { value: 5, max: 20, node: '3', prompt_id: 'p1' }), 2200);
    expect(l.progressOf('p1')).toEqual({ node: '3', value: 5, max: 20, nodesDone: 0 });
    l.observeWsMessage(U, msg('executing', { node: '9', prompt_id: 'p1' }), 2300);
    expect(l.progressOf('p1')).toEqual({ node: '9', value: 0, max: 0, nodesDone: 1 });
    l.observeWsMessage(U, msg('progress', { value: 3, max: 4, node: '9', prompt_id: 'p1' }), 2400);
    l.observeWsMessage(U, msg('execution_success', { prompt_id: 'p1' }), 2500);
    expect(l.progressOf('p1')).toEqual({ node: '9', value: 4, max: 4, nodesDone: 1 });
    expect(lifecycle).toEqual(['queued', 'started', 'finished']);
    expect(withProgress).toEqual(['queued', 'started', 'progress', 'progress', 'progress', 'progress', 'finished']);
  });
});
