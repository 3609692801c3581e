// @vitest-environment happy-dom
// The Monitor view is fed by pushes, not polling: a snapshot at start, then deltas; the upstream
// going down shows at once, new requests appear in the log, and the filter box narrows it.
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installBridge as installFakeBridge } from '../helpers/fakeBridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, CompanionBridge, CompanionEvent, HealthSample, IpcResult, MonitorSnapshot, RequestView } from '../../preload/contract';
import { startEventRouting } from '../../renderer/src/events';
import { useMonitorStore } from '../../renderer/src/stores/monitorStore';
import { MonitorView } from '../../renderer/src/views/MonitorView';

/** Answers only monitor:snapshot; pushes go through act() so React applies them before assertions. */
function installBridge(snapshot: MonitorSnapshot) {
  const fake = installFakeBridge({ 'monitor:snapshot': () => ({ ok: true, value: snapshot }) as IpcResult<MonitorSnapshot> });
  return { calls: fake.calls, emit: (e: CompanionEvent) => act(() => fake.emit(e)) };
}

const up: HealthSample = {
  at: Date.UTC(2026, 0, 1, 12),
  up: true,
  latencyMs: 12,
  queueRunning: 1,
  queuePending: 3,
  device: { name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda' },
  vramTotal: 24 * 2 ** 30,
  vramFree: 20 * 2 ** 30,
  comfyuiVersion: '0.3.66',
  error: null,
};

function req(seq: number, over: Partial<RequestView> = {}): RequestView {
  return { seq, at: up.at + seq, method: 'GET', path: `/history/${seq}`, status: 200, durationMs: 5, keyName: 'alice', websocket: false, ...over };
}

const snapshot: MonitorSnapshot = {
  upstreamUrl: 'http://127.0.0.1:8188',
  health: up,
  healthHistory: [up],
  traffic: { total: 1, byClass: { '2xx': 1, '3xx': 0, '4xx': 0, '429': 0, '5xx': 0 }, rps: 0.1, windowS: 10, byKey: [{ keyId: 'k', keyName: 'alice', total: 1, errors: 0, limited: 0, lastAt: up.at }] },
  trafficHistory: [],
  requests: [req(1)],
  jobs: [],
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
    expect(screen.getByText('1 / 3')).toBeTruthy();
    expect(screen.getByText('NVIDIA GeForce RTX 4090')).toBeTruthy();
    expect(screen.getByText('4.0 GB')).toBeTruthy();
  });

  it('pushed updates show the upstream down at once and add requests to the log, without polling', async () => {
    const { calls, emit } = installBridge(snapshot);
    stop = startEventRouting();
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    await screen.findByText('/history/1');
    emit({ type: 'monitor', update: { health: { ...up, up: false, latencyMs: null, error: 'unreachable (ECONNREFUSED)' } } });
    expect(screen.getByTestId('upstream-state').textContent).toContain('Down');
    expect(screen.getByRole('alert').textContent).toContain('unreachable (ECONNREFUSED)');
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

  it('shows running jobs with their progress', async () => {
    const { emit } = installBridge(snapshot);
    stop = startEventRouting();
    void useMonitorStore.getState().load();
    render(<MonitorView theme="light" />);
    await screen.findByText('No jobs yet');
    emit({ type: 'monitor', update: { jobs: [{ promptId: 'p-1', status: 'running', startedAt: up.at, finishedAt: null, node: '3', value: 5, max: 20, nodesDone: 1, message: null }] } });
    const bar = screen.getByRole('progressbar', { name: 'Job p-1 progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('5');
    expect(screen.getByText(/step 5\/20/)).toBeTruthy();
  });
});
