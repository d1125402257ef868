import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { buildWebPreferences, buildWindowOptions, createMainWindow, minimumWindowSize } from '../../../src-main/electron/window';
import { defaultWindowState } from '../../../src-main/electron/windowState';
import { appUrl, FakeEmitter } from './fakes';

const preloadPath = '/opt/Hearth/out/preload/preload.cjs';

describe('buildWebPreferences', () => {
  const preferences = buildWebPreferences(preloadPath);

  it('loads the bundled preload', () => expect(preferences.preload).toBe(preloadPath));
  it('isolates the preload’s context from the page', () => expect(preferences.contextIsolation).toBe(true));
  it('sandboxes the renderer', () => expect(preferences.sandbox).toBe(true));
  it('gives the page no Node', () => expect(preferences.nodeIntegration).toBe(false));
  it('gives workers no Node', () => expect(preferences.nodeIntegrationInWorker).toBe(false));
  it('gives frames no Node', () => expect(preferences.nodeIntegrationInSubFrames).toBe(false));
  it('keeps the same-origin policy', () => expect(preferences.webSecurity).toBe(true));
  it('refuses insecure content', () => expect(preferences.allowRunningInsecureContent).toBe(false));
  it('disables the webview tag', () => expect(preferences.webviewTag).toBe(false));
  it('turns Chromium’s experimental features off', () => expect(preferences.experimentalFeatures).toBe(false));
  it('enables no extra Blink features', () => expect(preferences.enableBlinkFeatures).toBeUndefined());
  it('never turns a dropped file into a navigation', () => expect(preferences.navigateOnDragDrop).toBe(false));
  it('lets the user stop a page’s dialog spam', () => expect(preferences.safeDialogs).toBe(true));
  it('leaves the spellchecker off, since it downloads dictionaries', () => expect(preferences.spellcheck).toBe(false));
});

describe('buildWindowOptions', () => {
  it('stays hidden until the first paint and keeps a usable minimum size', () => {
    const options = buildWindowOptions(preloadPath, defaultWindowState);
    expect(options.show).toBe(false);
    expect(options.minWidth).toBe(minimumWindowSize.width);
    expect(options.minHeight).toBe(minimumWindowSize.height);
    expect(options.webPreferences).toEqual(buildWebPreferences(preloadPath));
  });

  it('lets Electron centre a window that has no remembered position', () => {
    const options = buildWindowOptions(preloadPath, { width: 1000, height: 700, maximized: false });
    expect(options).toMatchObject({ width: 1000, height: 700 });
    expect(options).not.toHaveProperty('x');
    expect(options).not.toHaveProperty('y');
  });

  it('places a window where it was', () => {
    expect(buildWindowOptions(preloadPath, { x: 10, y: 20, width: 900, height: 600, maximized: false })).toMatchObject({
      x: 10,
      y: 20,
      width: 900,
      height: 600
    });
  });
});

class FakeWindow extends FakeEmitter {
  static created: FakeWindow[] = [];
  readonly calls: string[] = [];
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeWindow.created.push(this);
  }
  show = () => void this.calls.push('show');
  maximize = () => void this.calls.push('maximize');
  loadURL = async (url: string) => void this.calls.push(`load ${url}`);
}

describe('createMainWindow', () => {
  it('loads the app hidden and shows it when ready', () => {
    const window = createMainWindow({ BrowserWindow: FakeWindow, preloadPath, appUrl, state: defaultWindowState });
    expect(window.options).toEqual(buildWindowOptions(preloadPath, defaultWindowState));
    expect(window.calls).toEqual([`load ${appUrl}`]);
    window.emit('ready-to-show');
    expect(window.calls).toEqual([`load ${appUrl}`, 'show']);
  });

  it('maximizes a window that was maximized before showing it', () => {
    const window = createMainWindow({ BrowserWindow: FakeWindow, preloadPath, appUrl, state: { ...defaultWindowState, maximized: true } });
    window.emit('ready-to-show');
    expect(window.calls.slice(1)).toEqual(['maximize', 'show']);
  });
});
