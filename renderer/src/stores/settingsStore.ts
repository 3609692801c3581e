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

export const useSettingsStore = create<SettingsState>((set) => ({
  settings: null,
  saving: false,
  error: null,
  fieldErrors: {},
  savedAt: null,
  async load() {
    try {
      set({ settings: await call('settings:get'), error: null });
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
    set({ settings });
  },
}));
