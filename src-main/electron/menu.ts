/**
 * The application menu as a plain template; main.ts hands it to `Menu.buildFromTemplate`.
 * Items that act on the app (New chat, Search) are sent to the renderer as menu commands.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from './channels';

export interface MenuOptions {
  appName: string;
  /** macOS keeps an application menu and closes windows rather than quitting from File. */
  isMac: boolean;
  /** Reload and developer tools are for developing Hearth, not for using it. */
  isDev: boolean;
  sendCommand: (command: MenuCommand) => void;
  showAbout: () => void;
}

function appMenu(appName: string): MenuItemConstructorOptions {
  return {
    label: appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' }
    ]
  };
}

function fileMenu({ isMac, sendCommand }: MenuOptions): MenuItemConstructorOptions {
  return {
    label: 'File',
    submenu: [
      { label: 'New Chat', accelerator: 'CmdOrCtrl+N', click: () => sendCommand('new-chat') },
      { label: 'Search Chats…', accelerator: 'CmdOrCtrl+F', click: () => sendCommand('search') },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' }
    ]
  };
}

function editMenu({ isMac }: MenuOptions): MenuItemConstructorOptions {
  return {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      ...(isMac ? [{ role: 'pasteAndMatchStyle' } as const] : []),
      { role: 'delete' },
      { type: 'separator' },
      { role: 'selectAll' }
    ]
  };
}

function viewMenu({ isDev }: MenuOptions): MenuItemConstructorOptions {
  const developerItems: MenuItemConstructorOptions[] = [
    { role: 'reload' },
    { role: 'forceReload' },
    { role: 'toggleDevTools' },
    { type: 'separator' }
  ];
  return {
    label: 'View',
    submenu: [
      ...(isDev ? developerItems : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' }
    ]
  };
}

function windowMenu({ isMac }: MenuOptions): MenuItemConstructorOptions {
  return {
    role: 'window',
    submenu: isMac
      ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'zoom' }, { role: 'close' }]
  };
}

function helpMenu({ appName, showAbout }: MenuOptions): MenuItemConstructorOptions {
  return { role: 'help', submenu: [{ label: `About ${appName}`, click: () => showAbout() }] };
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  return [
    ...(options.isMac ? [appMenu(options.appName)] : []),
    fileMenu(options),
    editMenu(options),
    viewMenu(options),
    windowMenu(options),
    helpMenu(options)
  ];
}
