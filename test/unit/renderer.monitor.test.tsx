// @vitest-environment happy-dom
// The Monitor view is fed by pushes, not polling: a snapshot at start, then deltas; the upstream
// going down shows at once, new requests appear in the log, and the filter box narrows it. Results are
// in plain words, memory in GiB, jobs by workflow, key and node name, per-key jobs and GPU time.
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installBridge as installFakeBridge } from '../helpers/fakeBridge';
import { health } from '../helpers/rendererFixtures';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompanionEvent, HealthSample, IpcResult, MonitorSnapshot, RequestView } from '../../preload/contract';
import { startEventRouting } from '../../renderer/src/events';
import { useMonitorStore } from '../../renderer/src/stores/monitorStore';
import { MonitorView } from '../../renderer/src/views/MonitorView';

/** Answers only monitor:snapshot; pushes go through act() so React applies them before assertions. */
function installBridge(snapshot: MonitorSnapshot) {
  const fake = installFakeBridge({ 'monitor:snapshot': () => ({ ok: true, value: snapshot }) as IpcResult<MonitorSnapshot> });
  return { calls: fake.calls, emit: (e: CompanionEvent) => act(() => fake.emit(e)) };
}

const up: HealthSample = health();

function req(seq: number, over: Partial<RequestView> = {}): RequestView {
  return { seq, at: up.at + seq, method: 'GET', path: `/history/${seq}`, status: 200, durationMs: 5, keyName: 'alice', websocket: false, ...over };
}

const snapshot: MonitorSnapshot = {
  upstreamUrl: 'http://127.0.0.1:8188',
  upstreams: [],
  health: up,
  healthHistory: [up],
  traffic: { total: 1, byClass: { '2xx': 1, '3xx': 0, '4xx': 0, '429': 0, '5xx': 0 }, rps: 0.1, windowS: 10, byKey: [{ keyId: 'k', keyName: 'alice', total: 1, errors: 0, limited: 0, lastAt: up.at }] },
  trafficHistory: [],
  requests: [req(1)],
  jobs: [],
  waiting: [],
  keyJobs: [],
  keyJobsWindowH: 24,
  openSockets: 0,
};

let stop: (() => void) | null = null;
beforeEach(() => useMonitorStore.setState(useMonitorStore.getInitialState(), true));
afterEach(() => {
  stop?.();
  cleanup();
});

describe('Monitor view', () => {
  it('shows the snapshot: upstream up, queue, device, VRAM used', async () => {
    installBridge(snapshot);
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    expect((await screen.findByTestId('upstream-state')).textContent).toContain('Up');
    expect(screen.getByText('1 · 3')).toBeTruthy();
    expect(screen.getByText('running · waiting')).toBeTruthy();
    expect(screen.getByText('NVIDIA GeForce RTX 4090')).toBeTruthy();
    expect(screen.getByText('4.0 GiB')).toBeTruthy();
    expect(screen.getByText('of 24.0 GiB')).toBeTruthy();
    // Results in words, not "4xx · 429 · 5xx".
    const tile = screen.getByLabelText('Requests that did not succeed');
    expect([...tile.querySelectorAll('dt')].map((d) => d.textContent)).toEqual(['Refused', 'Over limit', 'Server errors']);
    expect(document.body.textContent).not.toContain('4xx');
  });

  it('pushed updates show the upstream down at once and add requests to the log, without polling', async () => {
    const { calls, emit } = installBridge(snapshot);
    stop = startEventRouting();
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    await screen.findByText('/history/1');
    emit({ type: 'monitor', update: { health: { ...up, up: false, latencyMs: null, error: 'unreachable (ECONNREFUSED)' } } });
    expect(screen.getByTestId('upstream-state').textContent).toContain('Down');
    expect(screen.getByRole('alert').textContent).toContain('Nothing accepts connections at that address. Start ComfyUI, or check the port.');
    emit({ type: 'monitor', update: { requests: [req(2, { path: '/prompt', method: 'POST', status: 429, keyName: 'bob' })] } });
    expect(screen.getByText('/prompt')).toBeTruthy();
    // A repeated delta (same seq) is not shown twice.
    emit({ type: 'monitor', update: { requests: [req(2, { path: '/prompt', method: 'POST', status: 429, keyName: 'bob' })] } });
    expect(screen.getAllByText('/prompt')).toHaveLength(1);
    expect(calls.filter((c) => c.channel === 'monitor:snapshot')).toHaveLength(1);
  });

  it('the filter box narrows the log by path, status or key name', async () => {
    const user = userEvent.setup();
    installBridge({ ...snapshot, requests: [req(1), req(2, { path: '/view?filename=a.png', keyName: 'bob', status: 404 }), req(3, { path: '/queue' })] });
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    await screen.findByText('/queue');
    await user.type(screen.getByLabelText('Filter requests'), 'bob');
    expect(screen.queryByText('/queue')).toBeNull();
    expect(screen.getByText('/view?filename=a.png')).toBeTruthy();
    await user.clear(screen.getByLabelText('Filter requests'));
    await user.type(screen.getByLabelText('Filter requests'), 'nothing-like-this');
    expect(screen.getByText('Nothing matches the filter')).toBeTruthy();
  });

  it('shows running jobs by workflow, key and node name with their progress; unnamed ones by id and node number', async () => {
    const { emit } = installBridge(snapshot);
    stop = startEventRouting();
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    await screen.findByText('No jobs yet');
    const base = { status: 'running' as const, startedAt: up.at, finishedAt: null, value: 5, max: 20, message: null };
    emit({
      type: 'monitor',
      update: {
        jobs: [
          { ...base, promptId: 'p-1', node: '3', nodeName: 'KSampler', nodesTotal: 7, nodesDone: 1, ownerName: 'render-bot', workflowName: 'Portrait' },
          { ...base, promptId: 'abcdef123456', node: '9', nodeName: null, nodesTotal: null, nodesDone: 0, ownerName: null, workflowName: null, max: 0 },
        ],
      },
    });
    const bar = screen.getByRole('progressbar', { name: 'Portrait progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('5');
    expect(screen.getByText('KSampler · step 5 of 20 · node 2 of 7')).toBeTruthy();
    expect(screen.getByText('by render-bot')).toBeTruthy();
    expect(screen.getByText('Job abcdef12')).toBeTruthy();
    expect(screen.getByText('Node #9')).toBeTruthy();
  });

  it('per key: requests with a labelled bar, refusals, and from the job ledger jobs and GPU time', async () => {
    installBridge({
      ...snapshot,
      keyJobs: [
        { owner: 'k', ownerName: 'alice', jobs: 4, succeeded: 3, failed: 1, active: 0, gpuMs: 95_000 },
        { owner: '@admin', ownerName: 'admin', jobs: 1, succeeded: 1, failed: 0, active: 0, gpuMs: 4_000 },
      ],
    });
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    await screen.findAllByText('alice');
    const row = [...document.querySelectorAll('table.per-key tbody tr')].find((tr) => tr.querySelector('td')?.textContent === 'alice') as HTMLElement;
    expect([...row.querySelectorAll('td')].map((td) => td.textContent)).toEqual(['alice', '1', '0', '0', '4 (1 failed)', '1 min 35 s']);
    expect(screen.getByText('you (admin key)')).toBeTruthy();
    expect([...document.querySelectorAll('table.per-key th')].map((th) => th.textContent)).toEqual(['Key', 'Requests', 'Refused', 'Over limit', 'Jobs (24 h)', 'GPU time']);
  });
  it('lists waiting jobs in run order with key, share and expected start; pushes replace the list', async () => {
    const { emit } = installBridge(snapshot);
    stop = startEventRouting();
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    await screen.findByText('Nothing waiting');
    const now = Date.now();
    const row = { upstream: 'http://127.0.0.1:8188', workflowName: null, queuedAt: now, estimatedMs: 20_000 };
    emit({
      type: 'monitor',
      update: {
        waiting: [
          { ...row, promptId: 'front-job-1', position: 1, ownerName: 'admin', share: null, estimatedStart: now },
          { ...row, promptId: 'single-1', position: 2, ownerName: 'bob', share: 2, estimatedStart: now + 95_000, workflowName: 'Portrait' },
        ],
      },
    });
    expect(screen.getByText('Waiting · 2 jobs')).toBeTruthy();
    const rows = [...document.querySelectorAll('table.waiting tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''));
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['1', 'Job front-jo', 'you (admin key)', 'first (admin)'],
      ['2', 'Portrait', 'bob', '2'],
    ]);
    expect(rows[0]?.[4]).toMatch(/^next/);
    expect(rows[1]?.[4]).toMatch(/^in 1 min 3\d s/);
    emit({ type: 'monitor', update: { waiting: [] } });
    expect(screen.getByText('Nothing waiting')).toBeTruthy();
  });
});
