// Tells the runtime while a window is on screen (shown, not minimised, not destroyed), so the monitor samples
// health every second only while someone can see it.
import type { BrowserWindow } from 'electron';

type WindowLike = Pick<BrowserWindow, 'isDestroyed' | 'isVisible' | 'isMinimized'> & { on(event: string, listener: () => void): unknown };

export function watchWhileVisible(win: WindowLike, watch: () => (() => void) | null): void {
  let stop: (() => void) | null = null;
  const update = (): void => {
    const onScreen = !win.isDestroyed() && win.isVisible() && !win.isMinimized();
    if (onScreen && !stop) stop = watch();
    else if (!onScreen && stop) {
      stop();
      stop = null;
    }
  };
  for (const event of ['show', 'hide', 'minimize', 'restore', 'closed']) win.on(event, update);
  update();
}
