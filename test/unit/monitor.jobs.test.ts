// The monitor names jobs: node titles and node-type display names from ComfyUI's /queue and
// /object_info (the fake ComfyUI, on loopback), owners and workflow names from the real job ledger, and
// per-key jobs with GPU time summed from the ledger's records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobLedger } from '../../main/jobs/jobLedger';
import { ADMIN_OWNER } from '../../main/jobs/types';
import { keyJobStats } from '../../main/monitor/keyJobStats';
import { MonitorService } from '../../main/monitor/monitorService';
import { NodeNames } from '../../main/monitor/nodeNames';
import { startFakeComfy, type FakeComfy } from '../fixtures/fakeComfy';

const T0 = Date.UTC(2026, 0, 1, 12);
const queueItem = (id: string, prompt: object) => [1, id, prompt, {}, ['9']];

describe('node names', () => {
  it('prefers the title the user gave a node, then its type\'s display name, then the type', async () => {
    const names = new NodeNames(async () => ({ SaveImage: { display_name: 'Save Image' }, KSampler: { display_name: 'KSampler' } }));
    const learned = names.observeQueue({
      queue_running: [queueItem('p1', { '3': { class_type: 'KSampler', _meta: { title: 'Hi-res pass' } }, '9': { class_type: 'SaveImage' }, '7': { class_type: 'MyCustomNode' } })],
      queue_pending: [['garbage'], queueItem('p2', { '1': { class_type: 'KSampler' } })],
    });
    expect(learned).toBe(true);
    expect(names.observeQueue({ queue_running: [queueItem('p1', {})] })).toBe(false);
    expect(names.nameOf('p1', '9')).toBe('SaveImage');
    expect(await names.loadDisplayNames()).toBe(true);
    expect([names.nameOf('p1', '3'), names.nameOf('p1', '9'), names.nameOf('p1', '7'), names.nameOf('p1', '404'), names.nameOf('nope', '3')]).toEqual([
      'Hi-res pass',
      'Save Image',
      'MyCustomNode',
      null,
      null,
    ]);
    expect(names.nodeCount('p1')).toBe(3);
    names.reset();
    expect(names.nameOf('p1', '3')).toBeNull();
  });

  it('a failed /object_info is tried again later, and meanwhile ids and types still show', async () => {
    let calls = 0;
    const names = new NodeNames(async () => {
      calls++;
      if (calls === 1) throw new Error('HTTP 500');
      return { SaveImage: { display_name: 'Save Image' } };
    });
    names.observeQueue({ queue_running: [queueItem('p', { '9': { class_type: 'SaveImage' } })] });
    expect(await names.loadDisplayNames()).toBe(false);
    expect(names.nameOf('p', '9')).toBe('SaveImage');
    expect(await names.loadDisplayNames()).toBe(true);
    expect(names.nameOf('p', '9')).toBe('Save Image');
  });
});

describe('per-key jobs and GPU time', () => {
  it('sums run time of finished jobs per owner; cached jobs cost no GPU; active ones are counted', () => {
    const job = (owner: string, ownerName: string, state: 'success' | 'error' | 'cached' | 'running' | 'pending', run: number) => ({
      promptId: `${owner}-${state}-${run}`,
      owner,
      ownerName,
      clientId: null,
      upstream: 'u',
      number: null,
      state,
      queuedAt: T0,
      startedAt: state === 'pending' ? null : T0,
      finishedAt: state === 'running' || state === 'pending' ? null : T0 + run,
      outputs: [],
      error: null,
      workflowName: null,
    });
    const stats = keyJobStats([
      job('k1', 'alice', 'success', 30_000),
      job('k1', 'alice', 'error', 5_000),
      job('k1', 'alice', 'running', 0),
      job(ADMIN_OWNER, 'admin', 'cached', 9_000),
      job(ADMIN_OWNER, 'admin', 'success', 60_000),
      job('k2', 'bob', 'pending', 0),
    ]);
    expect(stats).toEqual([
      { owner: ADMIN_OWNER, ownerName: 'admin', jobs: 2, succeeded: 2, failed: 0, active: 0, gpuMs: 60_000 },
      { owner: 'k1', ownerName: 'alice', jobs: 3, succeeded: 1, failed: 1, active: 1, gpuMs: 35_000 },
      { owner: 'k2', ownerName: 'bob', jobs: 1, succeeded: 0, failed: 0, active: 1, gpuMs: 0 },
    ]);
  });
});

describe('monitor with a ledger and a real upstream', () => {
  let fake: FakeComfy;
  beforeAll(async () => {
    fake = await startFakeComfy();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('a running job shows who queued it, its workflow and its node by name; the per-key table has its jobs', async () => {
    const ledger = new JobLedger();
    let now = T0;
    const monitor = new MonitorService({ upstream: () => fake.url, jobs: ledger, now: () => now });
    ledger.recordSubmitted({ promptId: 'p-1', owner: 'k1', ownerName: 'render-bot', clientId: 'c', upstream: 'u', number: 1, workflowName: 'Portrait', at: T0 });
    fake.state.put([0, 'p-1', { '3': { class_type: 'KSampler', inputs: {} }, '9': { class_type: 'SaveImage', inputs: {} } }, { client_id: 'c' }, ['9']]);
    fake.state.take('p-1');
    ledger.observeWsMessage('u', { type: 'execution_start', data: { prompt_id: 'p-1' } }, T0 + 1_000);
    ledger.observeWsMessage('u', { type: 'executing', data: { node: '9', prompt_id: 'p-1' } }, T0 + 1_000);
    expect(monitor.jobs()[0]).toMatchObject({ promptId: 'p-1', ownerName: 'render-bot', workflowName: 'Portrait', node: '9', nodeName: null });
    await monitor.sampleNow();
    // /queue gave the prompt's nodes; /object_info the type's display name.
    await expect.poll(() => monitor.jobs()[0]?.nodeName).toBe('Save Image');
    expect(monitor.jobs()[0]?.nodesTotal).toBe(2);
    now = T0 + 20_000;
    ledger.observeWsMessage('u', { type: 'execution_start', data: { prompt_id: 'p-1' } }, T0 + 1_000);
    ledger.observeWsMessage('u', { type: 'executing', data: { node: '9', prompt_id: 'p-1' } }, T0 + 1_000);
    ledger.observeWsMessage('u', { type: 'execution_success', data: { prompt_id: 'p-1' } }, T0 + 11_000);
    expect(monitor.snapshot().keyJobs).toEqual([{ owner: 'k1', ownerName: 'render-bot', jobs: 1, succeeded: 1, failed: 0, active: 0, gpuMs: 10_000 }]);
    monitor.stop();
    ledger.close();
  });
});
