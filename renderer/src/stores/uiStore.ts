// Which view is shown, plus a one-shot intent a view acts on when it opens (Home's "Create a key"
// opens Access keys with the create form). Kept apart from data stores so navigating never re-renders
// data views. View ids are the ids of renderer/src/views/registry.tsx.
import { create } from 'zustand';

export type ViewId = string;
export type ViewIntent = 'create-key' | null;

interface UiState {
  view: ViewId;
  intent: ViewIntent;
  setView(view: ViewId, intent?: ViewIntent): void;
  /** Returns the pending intent for this view and clears it. */
  takeIntent(): ViewIntent;
}

export const useUiStore = create<UiState>((set, get) => ({
  view: 'home',
  intent: null,
  setView(view, intent = null) {
    set({ view, intent });
  },
  takeIntent() {
    const intent = get().intent;
    if (intent !== null) set({ intent: null });
    return intent;
  },
}));
