// Electron's Notification behind the runtime's `notify` sink: one native notification per event,
// a click brings the window forward. Does nothing where the OS has no notification service.
import { Notification } from 'electron';
import type { DesktopNotification } from '../notifications/notifier';

export interface ElectronNotifierOptions {
  /** Called when the user clicks a notification (show the window). */
  onClick?(): void;
  /** Window/tray icon path, where the platform shows one. */
  icon?: string;
}

export function createElectronNotifier(options: ElectronNotifierOptions = {}): (n: DesktopNotification) => void {
  return (n) => {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: n.title, body: n.body, ...(options.icon ? { icon: options.icon } : {}) });
    if (options.onClick) notification.on('click', options.onClick);
    notification.show();
  };
}
