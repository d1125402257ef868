import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, type MenuOptions } from '../../../src-main/electron/menu';

function build(overrides: Partial<MenuOptions> = {}) {
  const options = { appName: 'Hearth', isMac: false, isDev: false, sendCommand: vi.fn(), showAbout: vi.fn(), ...overrides };
  return { options, template: buildMenuTemplate(options) };
}

function submenu(template: MenuItemConstructorOptions[], name: string): MenuItemConstructorOptions[] {
  const menu = template.find((item) => item.label === name || item.role === name);
  if (!menu) throw new Error(`no ${name} menu`);
  return menu.submenu as MenuItemConstructorOptions[];
}

const roles = (items: MenuItemConstructorOptions[]) => items.map((item) => item.role).filter(Boolean);
const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as () => void)();

describe('buildMenuTemplate', () => {
  it('has File, Edit, View, Window and Help, in that order', () => {
    expect(build().template.map((item) => item.label ?? item.role)).toEqual(['File', 'Edit', 'View', 'window', 'help']);
  });

  it('offers New Chat on CmdOrCtrl+N, which sends new-chat to the renderer', () => {
    const { template, options } = build();
    const newChat = submenu(template, 'File').find((item) => item.label === 'New Chat');
    expect(newChat?.accelerator).toBe('CmdOrCtrl+N');
    click(newChat);
    expect(options.sendCommand).toHaveBeenCalledExactlyOnceWith('new-chat');
  });

  it('offers Search Chats, which sends search to the renderer', () => {
    const { template, options } = build();
    const search = submenu(template, 'File').find((item) => item.label?.startsWith('Search'));
    expect(search?.accelerator).toBe('CmdOrCtrl+F');
    click(search);
    expect(options.sendCommand).toHaveBeenCalledExactlyOnceWith('search');
  });

  it('gives Edit the standard roles, so text fields get cut, copy and paste', () => {
    expect(roles(submenu(build().template, 'Edit'))).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll']);
    expect(roles(submenu(build({ isMac: true }).template, 'Edit'))).toContain('pasteAndMatchStyle');
  });

  it('keeps reload and developer tools out of View unless developing', () => {
    expect(roles(submenu(build().template, 'View'))).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    expect(roles(submenu(build({ isDev: true }).template, 'View'))).toEqual([
      'reload',
      'forceReload',
      'toggleDevTools',
      'resetZoom',
      'zoomIn',
      'zoomOut',
      'togglefullscreen'
    ]);
  });

  it('has an About item in Help', () => {
    const { template, options } = build();
    const about = submenu(template, 'help').find((item) => item.label === 'About Hearth');
    click(about);
    expect(options.showAbout).toHaveBeenCalledTimes(1);
  });

  it('quits from File on Windows and Linux', () => {
    expect(roles(submenu(build().template, 'File'))).toEqual(['quit']);
    expect(roles(submenu(build().template, 'window'))).toEqual(['minimize', 'zoom', 'close']);
  });

  it('follows macOS conventions: an application menu first, and File closes the window', () => {
    const { template } = build({ isMac: true });
    expect(template[0].label).toBe('Hearth');
    expect(roles(template[0].submenu as MenuItemConstructorOptions[])).toEqual(['about', 'services', 'hide', 'hideOthers', 'unhide', 'quit']);
    expect(roles(submenu(template, 'File'))).toEqual(['close']);
    expect(roles(submenu(template, 'window'))).toEqual(['minimize', 'zoom', 'front']);
  });

  it('uses no accelerator twice', () => {
    const accelerators = build({ isDev: true }).template.flatMap((menu) =>
      (menu.submenu as MenuItemConstructorOptions[]).map((item) => item.accelerator).filter(Boolean)
    );
    expect(new Set(accelerators).size).toBe(accelerators.length);
  });
});
