// @vitest-environment happy-dom
// The Access keys view as a user meets it: columns (prefix, one access level, jobs x / limit, queued,
// expiry, status), the row menu, Disable/Enable versus a final Revoke, the create form's limits and
// validation, and the show-once secret on one line that must be confirmed.
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyView } from '../../preload/contract';
import { useKeysStore } from '../../renderer/src/stores/keysStore';
import { useUiStore } from '../../renderer/src/stores/uiStore';
import { KeysView } from '../../renderer/src/views/KeysView';
import { installBridge } from '../helpers/fakeBridge';
import { fail, keyView as key, ok } from '../helpers/rendererFixtures';

const SECRET = `comfy_${'S'.repeat(43)}_abcdef`;

beforeEach(() => {
  useKeysStore.setState(useKeysStore.getInitialState(), true);
  useUiStore.setState(useUiStore.getInitialState(), true);
});
afterEach(() => cleanup());

const rowOf = async (name: string) => (await screen.findByText(name)).closest('tr') as HTMLElement;
const cells = (row: HTMLElement) => [...row.querySelectorAll('td')].map((td) => td.textContent);

async function openMenu(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(within(await rowOf(name)).getByRole('button', { name: `Actions for ${name}` }));
  return screen.getByRole('menu', { name: `Actions for ${name}` });
}

describe('Keys table', () => {
  it('shows name with prefix, the access level, jobs this hour against the limit, queued, expiry and status', async () => {
    const in29 = Date.now() + 29 * 86_400_000 + 3_600_000;
    installBridge({ 'keys:list': () => ok([key({ jobsThisHour: 3, rateLimit: 50, queued: 1, maxQueued: 5, expiresAt: in29, scopes: ['generate', 'read'] })]) });
    render(<KeysView theme="light" />);
    const row = await rowOf('render-bot');
    expect(cells(row).slice(0, 7)).toEqual(['render-botcomfy_Ab3x…', 'Generate', '3 / 50', '1 / 5', 'Never', 'In 29 days', 'Active']);
    expect(within(row).getByRole('progressbar', { name: 'render-bot jobs this hour' }).getAttribute('aria-valuenow')).toBe('3');
  });

  it('revoked keys come last, dimmed, with no limits shown and no way back', async () => {
    const user = userEvent.setup();
    installBridge({
      'keys:list': () =>
        ok([
          key({ id: 'r', name: 'old-intern', status: 'revoked', isActive: false, revokedAt: Date.now(), createdAt: 3 }),
          key({ id: 'd', name: 'paused-bot', status: 'disabled', isActive: false, createdAt: 2 }),
          key({ id: 'a', name: 'alpha', createdAt: 1 }),
        ]),
    });
    render(<KeysView theme="light" />);
    await screen.findByText('alpha');
    expect([...document.querySelectorAll('.key-name')].map((n) => n.textContent)).toEqual(['paused-bot', 'alpha', 'old-intern']);
    const revoked = await rowOf('old-intern');
    expect(revoked.className).toContain('row-revoked');
    expect(cells(revoked).slice(2, 7)).toEqual(['—', '—', 'Never', '—', 'Revoked']);
    const menu = await openMenu(user, 'old-intern');
    expect((within(menu).getByRole('menuitem', { name: /^Enable/ }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(menu).getByRole('menuitem', { name: /^Rotate/ }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(menu).queryByRole('menuitem', { name: /^Revoke/ })).toBeNull();
  });

  it('row actions are in one menu; Disable and Enable call keys:update and the row follows', async () => {
    const user = userEvent.setup();
    let current = key();
    const { calls } = installBridge({
      'keys:list': () => ok([current]),
      'keys:update': (req) => {
        const active = (req as { patch: { isActive: boolean } }).patch.isActive;
        current = key({ isActive: active, status: active ? 'active' : 'disabled' });
        return ok(current);
      },
    });
    render(<KeysView theme="light" />);
    const menu = await openMenu(user, 'render-bot');
    expect(within(menu).getAllByRole('menuitem').map((m) => m.firstChild?.textContent)).toEqual(['Edit…', 'Disable', 'Rotate secret…', 'Create a key like this…', 'Revoke…']);
    await user.click(within(menu).getByRole('menuitem', { name: /^Disable/ }));
    await waitFor(() => expect(within(screen.getByText('render-bot').closest('tr') as HTMLElement).getByText('Disabled')).toBeTruthy());
    await user.click(within((await openMenu(user, 'render-bot')) as HTMLElement).getByRole('menuitem', { name: /^Enable/ }));
    await waitFor(() => expect(within(screen.getByText('render-bot').closest('tr') as HTMLElement).getByText('Active')).toBeTruthy());
    expect(calls.filter((c) => c.channel === 'keys:update').map((c) => c.req)).toEqual([
      { id: 'id-1', patch: { isActive: false } },
      { id: 'id-1', patch: { isActive: true } },
    ]);
  });

  it('Revoke is final: the name must be typed, "Disable instead" is offered, then keys:revoke is called', async () => {
    const user = userEvent.setup();
    let keys: KeyView[] = [key()];
    const { calls } = installBridge({
      'keys:list': () => ok(keys),
      'keys:revoke': (req) => {
        keys = [key({ isActive: false, status: 'revoked', revokedAt: Date.now() })];
        return ok(req);
      },
    });
    render(<KeysView theme="light" />);
    await user.click(within(await openMenu(user, 'render-bot')).getByRole('menuitem', { name: /^Revoke/ }));
    expect(screen.getByRole('dialog').textContent).toContain('Revoking is final');
    expect(screen.getByRole('button', { name: 'Disable instead' })).toBeTruthy();
    const confirm = screen.getByRole('button', { name: 'Revoke key' }) as HTMLButtonElement;
    await user.type(screen.getByLabelText('Key name to confirm'), 'render-bo');
    expect(confirm.disabled).toBe(true);
    await user.type(screen.getByLabelText('Key name to confirm'), 't');
    await user.click(confirm);
    await waitFor(() => expect(screen.getByText('Revoked')).toBeTruthy());
    expect(calls.filter((c) => c.channel === 'keys:revoke').map((c) => c.req)).toEqual([{ id: 'id-1' }]);
  });

  it('sorts by jobs this hour and finds a key by its prefix', async () => {
    const user = userEvent.setup();
    installBridge({
      'keys:list': () =>
        ok([
          key({ id: 'a', name: 'alpha', jobsThisHour: 30, rateLimit: 100, prefix: 'comfy_AAAA', createdAt: 3 }),
          key({ id: 'b', name: 'bravo', jobsThisHour: 9, rateLimit: 10, prefix: 'comfy_BBBB', createdAt: 2 }),
          key({ id: 'c', name: 'charlie', jobsThisHour: 0, rateLimit: 10, prefix: 'comfy_CCCC', createdAt: 1 }),
        ]),
    });
    render(<KeysView theme="light" />);
    await screen.findByText('alpha');
    const names = () => [...document.querySelectorAll('.key-name')].map((n) => n.textContent);
    expect(names()).toEqual(['alpha', 'bravo', 'charlie']);
    await user.click(screen.getByRole('button', { name: /Jobs this hour/ }));
    expect(names()).toEqual(['charlie', 'alpha', 'bravo']);
    await user.type(screen.getByLabelText('Search keys'), 'comfy_bb');
    expect(names()).toEqual(['bravo']);
    await user.clear(screen.getByLabelText('Search keys'));
    await user.type(screen.getByLabelText('Search keys'), 'zzz');
    expect(screen.getByText('No key matches')).toBeTruthy();
  });

  it('says so when the key list cannot be loaded, and retries on request', async () => {
    const user = userEvent.setup();
    let broken = true;
    installBridge({ 'keys:list': () => (broken ? fail('unavailable', 'The key store is locked.') : ok([])) });
    render(<KeysView theme="light" />);
    expect(await screen.findByText('The key store is locked.')).toBeTruthy();
    broken = false;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('No access keys yet')).toBeTruthy();
  });
});

describe('Creating a key', () => {
  it('one access level, the three limits and a one-line secret that is shown once and must be confirmed', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({
      'keys:list': () => ok([]),
      'keys:create': (req) => ok({ key: key({ name: (req as { name: string }).name, scopes: ['read'] }), secret: SECRET, message: 'Save it' }),
    });
    render(<KeysView theme="light" />);
    await user.click(await screen.findByRole('button', { name: 'Create your first access key' }));
    const create = screen.getByRole('button', { name: 'Create key' }) as HTMLButtonElement;
    expect(create.disabled).toBe(true);
    await user.type(screen.getByLabelText('Name'), 'render-bot');
    await user.click(screen.getByRole('radio', { name: 'Read' }));
    expect(screen.getByText('See the queue, history and images. Cannot queue jobs.')).toBeTruthy();
    await user.clear(screen.getByLabelText('Jobs per hour'));
    await user.type(screen.getByLabelText('Jobs per hour'), '2000000');
    expect(screen.getByText('Jobs per hour can be at most 1,000,000.')).toBeTruthy();
    expect(create.disabled).toBe(true);
    await user.clear(screen.getByLabelText('Jobs per hour'));
    await user.type(screen.getByLabelText('Jobs per hour'), '50');
    await user.clear(screen.getByLabelText('Share of the GPU'));
    await user.type(screen.getByLabelText('Share of the GPU'), '0.05');
    expect(screen.getByText('The GPU share must be at least 0.1.')).toBeTruthy();
    expect(create.disabled).toBe(true);
    await user.clear(screen.getByLabelText('Share of the GPU'));
    await user.type(screen.getByLabelText('Share of the GPU'), '2');
    await user.clear(screen.getByLabelText('Jobs in the queue at once'));
    await user.type(screen.getByLabelText('Jobs in the queue at once'), '4{Enter}');

    const box = (await screen.findByRole('textbox', { name: 'New access key' })) as HTMLInputElement;
    expect(box.tagName).toBe('INPUT');
    expect(box.value).toBe(SECRET);
    expect(calls.find((c) => c.channel === 'keys:create')?.req).toEqual({
      name: 'render-bot',
      scopes: ['read'],
      rateLimit: 50,
      maxQueued: 4,
      requestsPerMinute: 600,
      share: 2,
      comfyUser: null,
      cloud: false,
      cloudJobsPerDay: null,
      gpuSecondsPerDay: null,
      metadata: {},
      expiresAt: null,
    });
    expect(screen.getByText('How to use it')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.getByRole('textbox', { name: 'New access key' })).toBeTruthy();
    const done = screen.getByRole('button', { name: 'Done' }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);
    await user.click(screen.getByLabelText('I have copied this key'));
    await user.click(done);
    expect(screen.queryByRole('textbox', { name: 'New access key' })).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it('shows the field message main sent back, and Home\'s "Create a key" opens the form', async () => {
    const user = userEvent.setup();
    installBridge({
      'keys:list': () => ok([]),
      'keys:create': () => fail('invalid_request', 'The ComfyUI user folder is taken.', [{ path: 'comfyUser', message: 'The ComfyUI user folder is taken.' }]),
    });
    useUiStore.getState().setView('keys', 'create-key');
    render(<KeysView theme="light" />);
    await screen.findByRole('dialog');
    await user.type(screen.getByLabelText('Name'), 'x');
    await user.click(screen.getByRole('button', { name: 'More options' }));
    await user.type(screen.getByLabelText('ComfyUI user folder'), 'ada{Enter}');
    expect((await screen.findAllByText('The ComfyUI user folder is taken.')).length).toBeGreaterThan(0);
  });
});
