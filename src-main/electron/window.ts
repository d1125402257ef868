/**
 * The main window. Electron's BrowserWindow class is passed in rather than imported, so this
 * module (and the settings it chooses) can be tested without the Electron binary.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { WindowState } from './windowState';

export const minimumWindowSize = { width: 640, height: 480 };

/** The renderer is an untrusted web page: isolated, sandboxed, no Node, reaching main only through the preload. */
export function buildWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // A file dropped on the window is imported by the app (see preload), never opened as a page.
    navigateOnDragDrop: false,
    // A page cannot pile up alert() dialogs to lock the user out.
    safeDialogs: true,
    // Chromium's spellchecker downloads dictionaries from Google on Windows and Linux: traffic the user did not start.
    spellcheck: false
  };
}

export function buildWindowOptions(preloadPath: string, state: WindowState): BrowserWindowConstructorOptions {
  return {
    title: 'Hearth',
    width: state.width,
    height: state.height,
    // Without a remembered position Electron centres the window.
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: minimumWindowSize.width,
    minHeight: minimumWindowSize.height,
    // Shown once the first frame is painted, so the user never sees an empty white window.
    show: false,
    webPreferences: buildWebPreferences(preloadPath)
  };
}

/** The part of a BrowserWindow the main window's setup uses. */
export interface MainWindowLike {
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  maximize(): void;
  loadURL(url: string): Promise<void>;
}

export interface MainWindowOptions<W extends MainWindowLike> {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W;
  preloadPath: string;
  /** The renderer's file: URL, or the dev server's URL while developing. */
  appUrl: string;
  state: WindowState;
}

export function createMainWindow<W extends MainWindowLike>(options: MainWindowOptions<W>): W {
  const window = new options.BrowserWindow(buildWindowOptions(options.preloadPath, options.state));
  window.once('ready-to-show', () => {
    if (options.state.maximized) window.maximize();
    window.show();
  });
  window.loadURL(options.appUrl).catch((error: unknown) => console.error('[hearth] could not load the window:', error));
  return window;
}
