// What the Home view needs beyond live service state: the first-run checklist (persisted in settings
// so it never comes back once done) and the one-time notices (settings reset or upgraded), dismissable.
import type { AppNotice, SetupStatus } from '../../preload/contract';
import type { SettingsNotice } from '../settings/settingsStore';
import type { Settings, SettingsPatch } from '../settings/settingsSchema';

export interface HomeSettings {
  get(): Settings;
  update(patch: SettingsPatch): Settings;
  readonly notices: readonly SettingsNotice[];
  onNotice?(listener: (n: SettingsNotice) => void): () => void;
}

/** Live facts the checklist reads; each is cheap. */
export interface SetupFacts {
  upstreamConnected(): boolean;
  keyCount(): number;
}

export interface HomeStatePort {
  setup(): SetupStatus;
  /** ComfyUI was opened through the proxy (window or tray). */
  markComfyOpened(): void;
  dismissSetup(): void;
  notices(): AppNotice[];
  dismissNotice(id: string): boolean;
}

function noticeId(n: SettingsNotice, index: number): string {
  return `${n.kind}-${n.at}-${index}`;
}

export function createHomeState(settings: HomeSettings, facts: SetupFacts): HomeStatePort {
  const dismissed = new Set<string>();
  const persist = (patch: Partial<Settings['ui']['setup']>) => {
    const ui = settings.get().ui;
    settings.update({ ui: { setup: { ...ui.setup, ...patch } } });
  };

  const live = (): SetupStatus => {
    const saved = settings.get().ui.setup;
    return {
      upstreamConnected: facts.upstreamConnected(),
      keyCreated: facts.keyCount() > 0,
      comfyOpened: saved.comfyOpened,
      dismissed: saved.dismissed,
    };
  };

  return {
    setup() {
      const s = live();
      // Done once is done: the checklist does not return when ComfyUI is later down or keys are revoked.
      if (!s.dismissed && s.upstreamConnected && s.keyCreated && s.comfyOpened) {
        persist({ dismissed: true });
        return { ...s, dismissed: true };
      }
      return s;
    },
    markComfyOpened() {
      if (!settings.get().ui.setup.comfyOpened) persist({ comfyOpened: true });
    },
    dismissSetup() {
      if (!settings.get().ui.setup.dismissed) persist({ dismissed: true });
    },
    notices() {
      // An upgrade changes nothing the user chose, so only resets (something was lost) are shown.
      return settings.notices
        .map((n, i) => ({ n, id: noticeId(n, i) }))
        .filter(({ n, id }) => n.kind === 'reset' && !dismissed.has(id))
        .map(({ n, id }) => ({ id, kind: 'settings-reset' as const, message: n.message, at: n.at }));
    },
    dismissNotice(id) {
      const known = settings.notices.some((n, i) => noticeId(n, i) === id);
      if (known) dismissed.add(id);
      return known;
    },
  };
}
