// Desktop notifications through Electron's Notification (the shared Electron mock): the app user's own
// job finishing or failing, ComfyUI going down and coming back, nothing for other keys' jobs or
// interruptions, and nothing at all once the setting is off.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ADMIN_OWNER, type Job, type JobEvent } from '../../main/jobs/types';
import type { HealthSample } from '../../main/monitor/types';
import { Notifier } from '../../main/notifications/notifier';

vi.mock('electron', () => import('../mocks/electron'));
const electron = await import('../mocks/electron');
const { createElectronNotifier } = await import('../../main/app/notifications');

const T0 = Date.UTC(2026, 0, 1, 12);

function job(over: Partial<Job> = {}): Job {
  return {
    promptId: 'p-1',
    owner: ADMIN_OWNER,
    ownerName: 'admin',
    clientId: 'c-1',
    upstream: 'http://127.0.0.1:8188',
    number: 1,
    state: 'success',
    queuedAt: T0,
    startedAt: T0 + 1_000,
    finishedAt: T0 + 13_000,
    outputs: [],
    error: null,
    workflowName: 'Portrait, soft light',
    ...over,
  };
}
const finished = (over: Partial<Job> = {}): JobEvent => ({ type: 'finished', job: job(over) });

function health(up: boolean, error: string | null = null): HealthSample {
  return { at: T0, url: 'http://gpu-box:8188', up, latencyMs: up ? 5 : null, queueRunning: 0, queuePending: 0, device: null, vramTotal: null, vramFree: null, comfyuiVersion: null, error };
}

let settings = { jobs: true, upstream: true };
let shownWindow = 0;
let notifier: Notifier;

beforeEach(() => {
  electron.resetElectronMock();
  settings = { jobs: true, upstream: true };
  shownWindow = 0;
  notifier = new Notifier({
    notify: createElectronNotifier({ onClick: () => void shownWindow++ }),
    enabled: () => settings,
    upstreamLabel: () => 'http://gpu-box:8188',
  });
});

const shown = () => electron.Notification.instances.filter((n) => n.shown).map((n) => ({ title: n.title, body: n.body }));

describe('job notifications', () => {
  it('a finished job of the app user shows "Job finished" with its workflow and run time; a click opens the window', () => {
    notifier.onJobEvent(finished());
    expect(shown()).toEqual([{ title: 'Job finished', body: '“Portrait, soft light” is done after 12 s.' }]);
    expect(electron.Notification.instances[0]?.show).toHaveBeenCalledTimes(1);
    electron.Notification.instances[0]?.click();
    expect(shownWindow).toBe(1);
  });

  it('a failed job shows "Job failed" with ComfyUI\'s reason', () => {
    notifier.onJobEvent(finished({ state: 'error', error: 'CUDA out of memory.', workflowName: null }));
    expect(shown()).toEqual([{ title: 'Job failed', body: 'Your job failed: CUDA out of memory.' }]);
  });

  it('says nothing for other keys\' jobs, for queued/started events, or for interrupted and deleted jobs', () => {
    notifier.onJobEvent(finished({ owner: 'keyid-of-bob', ownerName: 'bob' }));
    notifier.onJobEvent({ type: 'started', job: job({ state: 'running', finishedAt: null }) });
    notifier.onJobEvent({ type: 'queued', job: job({ state: 'pending', startedAt: null, finishedAt: null }) });
    notifier.onJobEvent(finished({ state: 'interrupted' }));
    notifier.onJobEvent(finished({ state: 'deleted' }));
    expect(electron.Notification.instances).toEqual([]);
  });

  it('says nothing once job notifications are turned off', () => {
    settings = { jobs: false, upstream: true };
    notifier.onJobEvent(finished());
    notifier.onJobEvent(finished({ state: 'error', error: 'boom' }));
    expect(electron.Notification.instances).toEqual([]);
  });

  it('does nothing where the system has no notification service', () => {
    electron.Notification.supported = false;
    notifier.onJobEvent(finished());
    expect(electron.Notification.instances).toEqual([]);
  });
});

describe('upstream notifications', () => {
  it('announces ComfyUI going down (after two failed samples, not one) and coming back', () => {
    notifier.onHealth(health(true));
    notifier.onHealth(health(false, 'unreachable (ECONNREFUSED)'));
    expect(shown()).toEqual([]);
    notifier.onHealth(health(false, 'unreachable (ECONNREFUSED)'));
    notifier.onHealth(health(false, 'unreachable (ECONNREFUSED)'));
    notifier.onHealth(health(true));
    expect(shown()).toEqual([
      { title: 'ComfyUI is not answering', body: 'http://gpu-box:8188 stopped answering (unreachable (ECONNREFUSED)). Requests through the proxy fail until it is back.' },
      { title: 'ComfyUI is back', body: 'http://gpu-box:8188 answers again; the proxy forwards requests to it.' },
    ]);
  });

  it('with other ComfyUI servers sharing the work, the primary going down says jobs go to them', () => {
    let others = 2;
    const several = new Notifier({ notify: createElectronNotifier({}), enabled: () => settings, upstreamLabel: () => 'http://gpu-box:8188', otherServers: () => others });
    for (const up of [true, false, false]) several.onHealth(health(up, 'unreachable (ECONNREFUSED)'));
    expect(shown().at(-1)?.body).toBe('http://gpu-box:8188 stopped answering (unreachable (ECONNREFUSED)). New jobs go to the other ComfyUI servers until it is back.');
    others = 0;
    for (const up of [true, false, false]) several.onHealth(health(up, 'unreachable (ECONNREFUSED)'));
    expect(shown().at(-1)?.body).toContain('Requests through the proxy fail until it is back.');
  });

  it('a ComfyUI that is down at start-up, or a single blip, is not news', () => {
    notifier.onHealth(health(false));
    notifier.onHealth(health(false));
    notifier.onHealth(health(true));
    notifier.onHealth(health(false));
    notifier.onHealth(health(true));
    expect(shown()).toEqual([]);
  });

  it('says nothing once upstream notifications are turned off', () => {
    settings = { jobs: true, upstream: false };
    for (const up of [true, false, false, true]) notifier.onHealth(health(up));
    expect(electron.Notification.instances).toEqual([]);
  });
});

describe('from the real job ledger', () => {
  it('a job queued with the admin key that finishes, and one that fails, each show one notification', async () => {
    const { JobLedger } = await import('../../main/jobs/jobLedger');
    const ledger = new JobLedger();
    const stop = ledger.subscribe((e) => notifier.onJobEvent(e));
    const up = 'http://127.0.0.1:8188';
    const submit = (promptId: string, owner: string, ownerName: string, title: string | null) =>
      ledger.recordSubmitted({ promptId, owner, ownerName, clientId: 'c', upstream: up, number: 1, workflowName: title, at: T0 });
    submit('mine-ok', ADMIN_OWNER, 'admin', 'Portrait, soft light');
    submit('mine-bad', ADMIN_OWNER, 'admin', null);
    submit('bobs', 'keyid-of-bob', 'bob', 'Bob’s batch');
    for (const id of ['mine-ok', 'mine-bad', 'bobs']) ledger.observeWsMessage(up, { type: 'execution_start', data: { prompt_id: id } }, T0 + 1_000);
    ledger.observeWsMessage(up, { type: 'executing', data: { node: '3', prompt_id: 'mine-ok' } }, T0 + 1_500);
    ledger.observeWsMessage(up, { type: 'execution_success', data: { prompt_id: 'mine-ok' } }, T0 + 13_000);
    ledger.observeWsMessage(up, { type: 'execution_error', data: { prompt_id: 'mine-bad', exception_message: 'CUDA out of memory' } }, T0 + 2_000);
    ledger.observeWsMessage(up, { type: 'execution_success', data: { prompt_id: 'bobs' } }, T0 + 3_000);
    expect(shown()).toEqual([
      { title: 'Job finished', body: '“Portrait, soft light” is done after 12 s.' },
      { title: 'Job failed', body: 'Your job failed: CUDA out of memory.' },
    ]);
    stop();
    ledger.close();
  });
});
