// Thin adapter from the pure tray description (trayMenu.ts) to Electron's Tray: rebuilds the menu,
// tooltip and icon whenever the state changes, and routes clicks to the action dispatcher.
import path from 'node:path';
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { buildTrayMenu, trayIconName, trayTooltip, type MenuItemTemplate, type TrayState } from '../api/trayMenu';
import type { TrayDispatch } from '../api/trayActions';

export interface TrayController {
  update(state: TrayState): void;
  destroy(): void;
}

function toElectron(items: readonly MenuItemTemplate[], dispatch: TrayDispatch): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const out: MenuItemConstructorOptions = {};
    if (item.type) out.type = item.type;
    if (item.id) out.id = item.id;
    if (item.label !== undefined) out.label = item.label;
    if (item.enabled !== undefined) out.enabled = item.enabled;
    if (item.submenu) out.submenu = toElectron(item.submenu, dispatch);
    const action = item.action;
    if (action) out.click = () => void dispatch(action);
    return out;
  });
}

export function createTray(options: {
  iconDir: string;
  initial: TrayState;
  dispatch: TrayDispatch;
  /** Left click on Windows/Linux opens the window (macOS shows the menu instead). */
  onClick?: () => void;
  platform?: NodeJS.Platform;
}): TrayController {
  const platform = options.platform ?? process.platform;
  const icon = (state: TrayState) => {
    const image = nativeImage.createFromPath(path.join(options.iconDir, trayIconName(state, platform)));
    if (platform === 'darwin') image.setTemplateImage(true);
    return image;
  };
  let iconName = trayIconName(options.initial, platform);
  const tray = new Tray(icon(options.initial));
  if (options.onClick && platform !== 'darwin') tray.on('click', options.onClick);

  const apply = (state: TrayState) => {
    tray.setContextMenu(Menu.buildFromTemplate(toElectron(buildTrayMenu(state), options.dispatch)));
    tray.setToolTip(trayTooltip(state));
    const name = trayIconName(state, platform);
    if (name !== iconName) {
      iconName = name;
      tray.setImage(icon(state));
    }
  };
  apply(options.initial);

  return {
    update: (state) => {
      if (!tray.isDestroyed()) apply(state);
    },
    destroy: () => tray.destroy(),
  };
}
