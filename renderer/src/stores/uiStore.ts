// Which view is shown. Kept apart from data stores so navigating never re-renders data views.
import { create } from 'zustand';

export const VIEWS = ['login', 'keys', 'cloud', 'monitor', 'usage', 'audit', 'settings'] as const;
export type ViewId = (typeof VIEWS)[number];

interface UiState {
  view: ViewId;
  setView(view: ViewId): void;
}

export const useUiStore = create<UiState>((set) => ({
  view: 'monitor',
  setView(view) {
    set({ view });
  },
}));
