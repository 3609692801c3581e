// Settings as the Settings view edits them, with the per-field messages the settings schema sent
// back. The theme is applied from here to <html data-theme>.
import { create } from 'zustand';
import type { SettingsPatch, SettingsView } from '../../../preload/contract';
import { call, errorMessage, fieldErrors } from '../ipc';

interface SettingsState {
  settings: SettingsView | null;
  saving: boolean;
  error: string | null;
  fieldErrors: Record<string, string>;
  savedAt: number | null;
  load(): Promise<void>;
  save(patch: SettingsPatch): Promise<boolean>;
  apply(settings: SettingsView): void;
}

/**
 * Counts settings pushed by main. A read answered after a newer push carries older settings (the push and the
 * answer may travel separately), so it is dropped rather than undo the change: e.g. a theme set from the tray.
 */
let pushes = 0;

export const useSettingsStore = create<SettingsState>((set) => ({
  settings: null,
  saving: false,
  error: null,
  fieldErrors: {},
  savedAt: null,
  async load() {
    const seen = pushes;
    try {
      const settings = await call('settings:get');
      if (pushes === seen) set({ settings, error: null });
    } catch (err) {
      set({ error: errorMessage(err) });
    }
  },
  async save(patch) {
    set({ saving: true, error: null, fieldErrors: {} });
    try {
      set({ settings: await call('settings:update', patch), savedAt: Date.now() });
      return true;
    } catch (err) {
      set({ error: errorMessage(err), fieldErrors: fieldErrors(err), savedAt: null });
      return false;
    } finally {
      set({ saving: false });
    }
  },
  apply(settings) {
    pushes++;
    set({ settings });
  },
}));
