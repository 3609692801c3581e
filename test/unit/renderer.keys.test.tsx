// @vitest-environment happy-dom
// The Keys view as a user meets it: the new secret is shown once and must be confirmed, revoking
// needs the key's name typed, search and sort work, and main's validation messages reach the form.
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installBridge } from '../helpers/fakeBridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, CompanionBridge, CompanionEvent, IpcResult, KeyView } from '../../preload/contract';
import { useKeysStore } from '../../renderer/src/stores/keysStore';
import { KeysView } from '../../renderer/src/views/KeysView';

function key(over: Partial<KeyView> = {}): KeyView {
  return {
    id: 'id-1',
    name: 'render-bot',
    createdAt: Date.UTC(2026, 0, 1),
    lastUsed: null,
    rateLimit: 100,
    isActive: true,
    expiresAt: null,
    scopes: ['generate'],
    metadata: {},
    usageThisHour: 0,
    status: 'active',
    ...over,
  };
}

const ok = <T,>(value: T): IpcResult<T> => ({ ok: true, value });
const SECRET = 'comfy_' + 'S'.repeat(43);

beforeEach(() => {
  useKeysStore.setState(useKeysStore.getInitialState(), true);
});
afterEach(() => cleanup());

describe('Keys view', () => {
  it('shows a new key secret once, and the dialog only closes after "I have saved this key"', async () => {
    const user = userEvent.setup();
    const { calls } = installBridge({
      'keys:list': () => ok([]),
      'keys:create': (req) => ok({ key: key({ name: (req as { name: string }).name }), secret: SECRET, message: 'Save it' }),
    });
    render(<KeysView theme="light" />);
    await user.click(await screen.findByRole('button', { name: 'Create your first key' }));
    await user.type(screen.getByLabelText('Name'), 'render-bot{Enter}');

    const box = await screen.findByLabelText('New access key');
    expect((box as HTMLTextAreaElement).value).toBe(SECRET);
    expect(calls.find((c) => c.channel === 'keys:create')?.req).toMatchObject({ name: 'render-bot', rateLimit: 100, scopes: ['generate'], expiresAt: null });

    await user.keyboard('{Escape}');
    expect(screen.getByLabelText('New access key')).toBeTruthy();
    const done = screen.getByRole('button', { name: 'Done' }) as HTMLButtonElement;
    expect(done.disabled).toBe(true);

    await user.click(screen.getByLabelText('I have saved this key'));
    expect(done.disabled).toBe(false);
    await user.click(done);
    expect(screen.queryByLabelText('New access key')).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect(screen.getByText('render-bot')).toBeTruthy();
  });

  it('Esc closes the create dialog (it holds no secret yet)', async () => {
    const user = userEvent.setup();
    installBridge({ 'keys:list': () => ok([]) });
    render(<KeysView theme="light" />);
    await user.click(await screen.findByRole('button', { name: 'Create your first key' }));
    expect(screen.getByRole('dialog')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the field message main sent back when it refuses the key', async () => {
    const user = userEvent.setup();
    installBridge({
      'keys:list': () => ok([]),
      'keys:create': () => ({ ok: false, error: { code: 'invalid_request', message: 'name: too long', issues: [{ path: 'name', message: 'Name is too long for the store' }] } }),
    });
    render(<KeysView theme="light" />);
    await user.click(await screen.findByRole('button', { name: 'Create your first key' }));
    await user.type(screen.getByLabelText('Name'), 'x{Enter}');
    expect(await screen.findByText('Name is too long for the store')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('name: too long');
  });

  it('revoking needs the key name typed, then calls keys:revoke for that key', async () => {
    const user = userEvent.setup();
    let keys = [key()];
    const { calls } = installBridge({
      'keys:list': () => ok(keys),
      'keys:revoke': (req) => {
        keys = [key({ isActive: false, status: 'disabled' })];
        return ok(req);
      },
    });
    render(<KeysView theme="light" />);
    const row = (await screen.findByText('render-bot')).closest('tr') as HTMLElement;
    await user.click(within(row).getByRole('button', { name: 'Revoke' }));
    const confirm = screen.getByRole('button', { name: 'Revoke key' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    await user.type(screen.getByLabelText('Key name to confirm'), 'render-bo');
    expect(confirm.disabled).toBe(true);
    await user.type(screen.getByLabelText('Key name to confirm'), 't');
    expect(confirm.disabled).toBe(false);
    await user.click(confirm);
    await waitFor(() => expect(screen.getByText('Disabled')).toBeTruthy());
    expect(calls.filter((c) => c.channel === 'keys:revoke').map((c) => c.req)).toEqual([{ id: 'id-1' }]);
  });

  it('filters by the search box and sorts by a clicked column', async () => {
    const user = userEvent.setup();
    installBridge({
      'keys:list': () =>
        ok([
          key({ id: 'a', name: 'alpha', rateLimit: 300, createdAt: 3 }),
          key({ id: 'b', name: 'bravo', rateLimit: 100, createdAt: 2 }),
          key({ id: 'c', name: 'charlie', rateLimit: 200, createdAt: 1 }),
        ]),
    });
    render(<KeysView theme="light" />);
    await screen.findByText('alpha');
    const names = () => [...document.querySelectorAll('.key-name')].map((n) => n.textContent);
    expect(names()).toEqual(['alpha', 'bravo', 'charlie']); // newest first
    await user.click(screen.getByRole('button', { name: /Rate limit/ }));
    expect(names()).toEqual(['bravo', 'charlie', 'alpha']);
    await user.click(screen.getByRole('button', { name: /Rate limit/ }));
    expect(names()).toEqual(['alpha', 'charlie', 'bravo']);
    await user.type(screen.getByLabelText('Search keys'), 'ar');
    expect(names()).toEqual(['charlie']);
    await user.clear(screen.getByLabelText('Search keys'));
    await user.type(screen.getByLabelText('Search keys'), 'zzz');
    expect(screen.getByText('No key matches')).toBeTruthy();
  });

  it('says so when the key list cannot be loaded, and retries on request', async () => {
    const user = userEvent.setup();
    let fail = true;
    installBridge({ 'keys:list': () => (fail ? { ok: false, error: { code: 'unavailable', message: 'Key store is locked' } } : ok([])) });
    render(<KeysView theme="light" />);
    expect(await screen.findByText('Key store is locked')).toBeTruthy();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('No access keys yet')).toBeTruthy();
  });
});
