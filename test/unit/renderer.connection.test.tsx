// @vitest-environment happy-dom
// ComfyUI connection: each server with its own state (answering with latency, queue and GPU; not answering
// with the reason; other nodes), add / change / remove / make primary through their channels, addresses
// checked as typed, and every check showing each server's answer and whether anything was saved.
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppStatus, UpstreamCheck, UpstreamView } from '../../preload/contract';
import { useConnectionStore } from '../../renderer/src/stores/connectionStore';
import { useMonitorStore } from '../../renderer/src/stores/monitorStore';
import { useStatusStore } from '../../renderer/src/stores/statusStore';
import { ConnectionView } from '../../renderer/src/views/ConnectionView';
import { installBridge } from '../helpers/fakeBridge';
import { appStatus, health, ok } from '../helpers/rendererFixtures';

const A = 'http://127.0.0.1:8188';
const B = 'http://gpu-box:8188';

function twoServers(over: Partial<AppStatus['upstream']> = {}): AppStatus {
  const base = appStatus();
  return appStatus({ upstream: { ...base.upstream, urls: [A, B], loopback: false, remote: ['gpu-box:8188'], keyHint: 'abc…wxyz', ...over } });
}

function view(url: string, over: Partial<UpstreamView> = {}): UpstreamView {
  return { url, state: 'up', queue: 0, latencyMs: 20, device: { name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', vramTotal: 1, vramFree: 1 }, matches: true, problem: null, error: null, since: 0, ...over };
}

function check(url: string, over: Partial<UpstreamCheck> = {}): UpstreamCheck {
  return { url, reachable: true, keyAccepted: true, comfyuiVersion: '0.3.66', device: 'cuda:0 NVIDIA GeForce RTX 3090 : cudaMallocAsync', latencyMs: 9, message: 'Connected.', ...over };
}

const rows = () => screen.getAllByTestId('server-row');

beforeEach(() => {
  useStatusStore.setState(useStatusStore.getInitialState(), true);
  useMonitorStore.setState(useMonitorStore.getInitialState(), true);
  useConnectionStore.setState(useConnectionStore.getInitialState(), true);
});
afterEach(() => cleanup());

describe('ComfyUI connection: the servers', () => {
  it('one server: its live state from the health sample, Change but no Remove or Primary badge; Check now shows its answer', async () => {
    const user = userEvent.setup();
    installBridge({ 'upstreams:check': () => ok([check(A, { keyAccepted: null })]) });
    useStatusStore.setState({ status: appStatus() });
    useMonitorStore.setState({ loaded: true, health: health() });
    render(<ConnectionView />);
    expect(screen.getByText('ComfyUI server')).toBeTruthy();
    expect(rows()).toHaveLength(1);
    expect(rows()[0]?.textContent).toContain('Answering · 12 ms · 4 in queue · NVIDIA GeForce RTX 4090');
    expect(screen.queryByText('Primary')).toBeNull();
    expect(screen.queryByRole('button', { name: `Remove ${A}` })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Check now' }));
    const answer = await screen.findByTestId('server-answer');
    expect(answer.textContent).toContain('ComfyUI answers');
    expect(answer.textContent).toContain('No key needed');
    expect(answer.textContent).toContain('ComfyUI 0.3.66 · NVIDIA GeForce RTX 3090');
  });

  it('several: each its own state — the primary marked, one down with the reason, one with other nodes — and the exposure notice names the remote one', () => {
    installBridge({});
    useStatusStore.setState({ status: twoServers({ urls: [A, B, 'http://gpu-3:8188'], keyHint: null, remote: ['gpu-box:8188', 'gpu-3:8188'] }) });
    useMonitorStore.setState({
      loaded: true,
      upstreams: [view(A, { queue: 2 }), view(B, { state: 'down', error: 'not reachable (ECONNREFUSED)', device: null }), view('http://gpu-3:8188', { matches: false, problem: 'has extra FakeUpscaleNode' })],
    });
    render(<ConnectionView />);
    expect(screen.getByText('ComfyUI servers · 2 of 3 answering')).toBeTruthy();
    const [first, second, third] = rows();
    expect(within(first as HTMLElement).getByText('Primary')).toBeTruthy();
    expect(first?.textContent).toContain('Answering · 20 ms · 2 in queue');
    expect(within(first as HTMLElement).queryByRole('button', { name: /Make .* primary/ })).toBeNull();
    expect(second?.textContent).toContain('Not answering');
    expect(second?.textContent).toContain('Nothing accepts connections at that address.');
    expect(third?.textContent).toContain('Other custom nodes or models than the other servers, so it gets no new jobs. has extra FakeUpscaleNode');
    expect(screen.getByTestId('exposure-notice').textContent).toContain('ComfyUI at gpu-box:8188 and gpu-3:8188 without a key');
  });

  it('make primary acts at once; remove asks first and then updates the list from the answer', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({
      'upstreams:makePrimary': () => ok(twoServers({ urls: [B, A] })),
      'upstreams:remove': () => ok(appStatus()),
    });
    useStatusStore.setState({ status: twoServers() });
    render(<ConnectionView />);
    await user.click(screen.getByRole('button', { name: `Make ${B} the primary server` }));
    expect(calls.at(-1)).toEqual({ channel: 'upstreams:makePrimary', req: { url: B } });
    expect(rows()[0]?.textContent).toContain(B);
    await user.click(screen.getByRole('button', { name: `Remove ${A}` }));
    const ask = screen.getByRole('group', { name: `Remove ${A}?` });
    expect(ask.textContent).toContain('Remove this server? The proxy restarts.');
    await user.click(within(ask).getByRole('button', { name: 'Keep' }));
    expect(calls.filter((c) => c.channel === 'upstreams:remove')).toEqual([]);
    await user.click(screen.getByRole('button', { name: `Remove ${A}` }));
    await user.click(within(screen.getByRole('group', { name: `Remove ${A}?` })).getByRole('button', { name: 'Remove' }));
    expect(calls.at(-1)).toEqual({ channel: 'upstreams:remove', req: { url: A } });
    expect(rows()).toHaveLength(1);
  });

  it('adding: checked as typed (bad, already listed), a server that does not answer saves nothing, one that answers is added', async () => {
    const user = userEvent.setup();
    let answer = { ...check(B, { reachable: false, keyAccepted: null, latencyMs: null, comfyuiVersion: null, device: null, message: `Cannot reach ComfyUI at ${B} (ECONNREFUSED).` }), saved: false };
    const { calls } = installBridge({ 'upstreams:add': () => ok(answer), 'status:get': () => ok(twoServers()) });
    useStatusStore.setState({ status: appStatus() });
    render(<ConnectionView />);
    const field = screen.getByLabelText('Add a ComfyUI server');
    const add = screen.getByRole('button', { name: 'Check and add' }) as HTMLButtonElement;
    await user.type(field, 'gpu-box:8188');
    expect(screen.getByText('The address must start with http:// or https://.')).toBeTruthy();
    expect(add.disabled).toBe(true);
    await user.clear(field);
    await user.type(field, `${A}/`);
    expect(screen.getByText(`${A} is already in the list.`)).toBeTruthy();
    await user.clear(field);
    await user.type(field, B);
    await user.click(add);
    expect(await screen.findByText(`Cannot reach ComfyUI at ${B} (ECONNREFUSED). Nothing was saved.`)).toBeTruthy();
    expect(calls.find((c) => c.channel === 'upstreams:add')?.req).toEqual({ url: B });
    expect((field as HTMLInputElement).value).toBe(B);
    answer = { ...check(B), message: `Connected to ComfyUI 0.3.66 in 9 ms.`, saved: true };
    await user.click(add);
    expect(await screen.findByText('Connected to ComfyUI 0.3.66 in 9 ms.')).toBeTruthy();
    expect((field as HTMLInputElement).value).toBe('');
    expect(await screen.findByText('ComfyUI servers · 0 of 2 answering')).toBeTruthy();
  });

  it('changing an address: the form says whose, starts from it, and sends it as the one replaced', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({ 'upstreams:add': () => ok({ ...check('http://gpu-box:9188'), saved: true }), 'status:get': () => ok(appStatus()) });
    useStatusStore.setState({ status: twoServers() });
    render(<ConnectionView />);
    await user.click(screen.getByRole('button', { name: `Change the address of ${B}` }));
    const field = screen.getByLabelText(`New address for ${B}`) as HTMLInputElement;
    expect(field.value).toBe(B);
    await user.clear(field);
    await user.type(field, A);
    expect(screen.getByText(`${A} is already in the list.`)).toBeTruthy();
    await user.clear(field);
    await user.type(field, 'http://gpu-box:9188');
    await user.click(screen.getByRole('button', { name: 'Check and save' }));
    expect(calls.find((c) => c.channel === 'upstreams:add')?.req).toEqual({ url: 'http://gpu-box:9188', replace: B });
    expect(await screen.findByLabelText('Add a ComfyUI server')).toBeTruthy();
  });
});

describe('ComfyUI connection: the key', () => {
  it('is checked with every server; a refusal names the server and nothing is saved; the key field keeps what was typed', async () => {
    const user = userEvent.setup();
    let result = {
      checks: [check(A), check(B, { keyAccepted: false, message: 'refused' })],
      saved: false,
      message: `ComfyUI at ${B} refused this key. Nothing was saved.`,
    };
    const { calls } = installBridge({ 'upstream:saveKey': () => ok(result), 'status:get': () => ok(twoServers()) });
    useStatusStore.setState({ status: twoServers() });
    render(<ConnectionView />);
    const key = screen.getByLabelText('ComfyUI key') as HTMLInputElement;
    expect(screen.getByText(/The proxy sends it to every server|Saved: abc…wxyz/)).toBeTruthy();
    await user.type(key, 'upstream-secret');
    await user.click(screen.getByRole('button', { name: 'Check and save key' }));
    const answers = await screen.findAllByTestId('server-answer');
    expect(answers.map((a) => a.textContent)).toEqual([expect.stringContaining(`${A}✓ComfyUI answers9 ms✓Key accepted`), expect.stringContaining(`${B}✓ComfyUI answers9 ms✕Key refused`)]);
    expect(screen.getByText(`ComfyUI at ${B} refused this key. Nothing was saved.`)).toBeTruthy();
    expect(key.value).toBe('upstream-secret');
    expect(calls.find((c) => c.channel === 'upstream:saveKey')?.req).toEqual({ key: 'upstream-secret', remember: true });
    result = { checks: [check(A), check(B)], saved: true, message: 'Saved. The key was accepted by all 2 servers.' };
    await user.click(screen.getByRole('button', { name: 'Check and save key' }));
    expect(await screen.findByText('Saved. The key was accepted by all 2 servers.')).toBeTruthy();
    expect(key.value).toBe('');
  });

  it('without a usable keychain the key can only be kept until quit, and the notice says how to fix it', () => {
    installBridge({});
    useStatusStore.setState({ status: appStatus({ secretBackend: { kind: 'memory', persistent: false, reason: 'no Secret Service' } }) });
    render(<ConnectionView />);
    const onDisk = screen.getByRole('radio', { name: /On this computer/ }) as HTMLInputElement;
    expect(onDisk.disabled).toBe(true);
    expect((screen.getByRole('radio', { name: 'Until the app quits' }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByTestId('secret-store-notice').textContent).toMatch(/install and unlock a password store/);
  });
});
