// "Start at sign-in": an XDG autostart entry on Linux (written, quoted, removed), Electron's login item
// elsewhere (through the shared Electron mock), both starting the app hidden in the tray.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUTOSTART_FILE, HIDDEN_ARG, applyStartAtLogin, autostartEntry } from '../../main/app/loginItem';

vi.mock('electron', () => import('../mocks/electron'));
const electron = await import('../mocks/electron');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cac-autostart-'));
  electron.resetElectronMock();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const linux = (executable = '/opt/Comfy Companion/companion') => ({
  platform: 'linux' as const,
  setLoginItemSettings: (s: { openAtLogin: boolean }) => electron.app.setLoginItemSettings(s),
  executable,
  configHome: dir,
});

describe('start at sign-in', () => {
  it('Linux: writes an autostart entry that starts the app hidden, and removes it when turned off', () => {
    applyStartAtLogin(true, linux());
    const file = path.join(dir, 'autostart', AUTOSTART_FILE);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain(`Exec="/opt/Comfy Companion/companion" ${HIDDEN_ARG}`);
    applyStartAtLogin(false, linux());
    expect(fs.existsSync(file)).toBe(false);
    // Turning it off twice is fine.
    applyStartAtLogin(false, linux());
    expect(electron.app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('quotes characters the Desktop Entry spec reserves', () => {
    expect(autostartEntry('/home/a"b/$x`y\\z')).toContain('Exec="/home/a\\"b/\\$x\\`y\\\\z" --hidden');
  });

  it('macOS and Windows: an Electron login item, opened hidden', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      applyStartAtLogin(true, { ...linux(), platform });
      expect(electron.app.loginItem).toEqual({ openAtLogin: true, openAsHidden: true, args: [HIDDEN_ARG] });
      applyStartAtLogin(false, { ...linux(), platform });
      expect(electron.app.loginItem.openAtLogin).toBe(false);
    }
    expect(fs.existsSync(path.join(dir, 'autostart'))).toBe(false);
  });
});
