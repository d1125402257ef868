// A stand-in for the `electron` module, for the desktop smoke test: no Electron binary can be downloaded
// here, so the real main bundle runs under Node with this module in Electron's place. Windows are
// Chromium pages (Playwright, the system Chromium); the preload bundle runs in each page before the app
// with a sandboxed-preload `require` that offers only `electron`; ipcRenderer/ipcMain cross through a
// Playwright binding, main → renderer sends through page.evaluate. Chromium outside Electron cannot
// register a URL scheme, so the app's `hearth://app/` is answered by the handler given to
// `protocol.handle` behind a loopback origin, and URLs are reported back to the app in its scheme.
// What the harness needs to drive and check the app is on `standin`.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { chromium } from '@playwright/test';

const protocolHandlers = new Map();
const ipcHandlers = new Map();
const windows = [];
let browser = null;
let bridge = null;

/** What the harness reads: every IPC call and push, the windows, failures shown to the user, how the app ended. */
export const standin = {
  windows,
  invocations: [],
  pushes: [],
  errorBoxes: [],
  privilegedSchemes: [],
  /** Used instead of the preload path the app gives (a harness variant with a broken preload). */
  preloadOverride: process.env.HEARTH_STANDIN_PRELOAD || null,
  quit: null
};
let quitResolve;
standin.quit = new Promise((resolve) => (quitResolve = resolve));

function bridgeOrigin() {
  return `http://127.0.0.1:${bridge.address().port}`;
}

/** The app's own URL for a page the stand-in serves on its loopback origin, and back. */
function toAppUrl(url) {
  if (!bridge || !url.startsWith(bridgeOrigin())) return url;
  const [scheme] = [...protocolHandlers.keys()];
  return `${scheme}://app${url.slice(bridgeOrigin().length)}`;
}

function toPageUrl(url) {
  const match = /^([a-z][a-z0-9+.-]*):\/\/app(\/.*)?$/.exec(url);
  if (!match || !protocolHandlers.has(match[1])) return url;
  return `${bridgeOrigin()}${match[2] ?? '/'}`;
}

async function startBridge() {
  bridge = createServer(async (request, response) => {
    const [scheme, handler] = [...protocolHandlers][0] ?? [];
    if (!handler) return response.writeHead(404).end();
    const answer = await handler(new Request(`${scheme}://app${request.url}`, { method: request.method }));
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise((resolve) => bridge.listen(0, '127.0.0.1', resolve));
}

function preloadScripts(preloadPath) {
  const source = readFileSync(standin.preloadOverride ?? preloadPath, 'utf8');
  const shim = `(() => {
    const listeners = new Map();
    const ipcRenderer = {
      invoke: (channel, ...args) => window.__standinInvoke(channel, args),
      on(channel, listener) { listeners.set(channel, [...(listeners.get(channel) ?? []), listener]); return ipcRenderer; },
      removeListener(channel, listener) { listeners.set(channel, (listeners.get(channel) ?? []).filter((l) => l !== listener)); return ipcRenderer; }
    };
    window.__standinDeliver = (channel, payload) => { for (const listener of listeners.get(channel) ?? []) listener({}, payload); };
    const electron = {
      contextBridge: { exposeInMainWorld: (key, api) => Object.defineProperty(window, key, { value: Object.freeze(api), enumerable: true }) },
      ipcRenderer,
      webUtils: { getPathForFile: () => '' }
    };
    window.__standinRequire = (name) => {
      if (name === 'electron') return electron;
      throw new Error('A sandboxed preload cannot require ' + name);
    };
  })();`;
  // Separate scripts: a preload that does not parse as a script (an ES module) fails alone, as in Electron.
  const preload = `(function (require, module, exports) {\n${source}\n})(window.__standinRequire, { exports: {} }, {});`;
  return [shim, preload];
}

class WebContents extends EventEmitter {
  constructor(window) {
    super();
    this.window = window;
    this.windowOpenHandler = null;
    this.delivery = Promise.resolve();
  }
  getURL() {
    return this.window.page ? toAppUrl(this.window.page.url()) : '';
  }
  isDestroyed() {
    return this.window.destroyed;
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
  send(channel, payload) {
    standin.pushes.push(channel);
    const page = this.window.page;
    // In order, as Electron delivers them; a closed page drops them.
    this.delivery = this.delivery.then(() => page?.evaluate(([name, value]) => window.__standinDeliver?.(name, value), [channel, payload]).catch(() => {}));
  }
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows() {
    return windows.filter((window) => !window.destroyed);
  }
  constructor(options = {}) {
    super();
    this.options = options;
    this.destroyed = false;
    this.shown = false;
    this.page = null;
    this.webContents = new WebContents(this);
    windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url) {
    const context = await browser.newContext({ viewport: { width: this.options.width ?? 1280, height: this.options.height ?? 800 } });
    this.page = await context.newPage();
    await this.page.exposeBinding('__standinInvoke', async (source, channel, args) => {
      standin.invocations.push(channel);
      const handler = ipcHandlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return handler({ sender: this.webContents, senderFrame: { url: toAppUrl(source.frame.url()) } }, ...args);
    });
    const preload = this.options.webPreferences?.preload;
    if (preload) for (const script of preloadScripts(preload)) await this.page.addInitScript({ content: script });
    await this.page.goto(toPageUrl(url));
    this.shown = true;
    this.emit('ready-to-show');
  }
  show() {}
  maximize() {}
  isMinimized() {
    return false;
  }
  isMaximized() {
    return false;
  }
  restore() {}
  focus() {}
  getNormalBounds() {
    return { x: 0, y: 0, width: this.options.width ?? 1280, height: this.options.height ?? 800 };
  }
  async close() {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.page?.context().close();
    this.emit('closed');
  }
}

let readyResolve;
const ready = new Promise((resolve) => (readyResolve = resolve));

class App extends EventEmitter {
  isPackaged = false;
  name = 'Electron';
  paths = new Map();
  setName(name) {
    this.name = name;
  }
  getName() {
    return this.name;
  }
  getVersion() {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  }
  getPath(name) {
    return this.paths.get(name) ?? tmpdir();
  }
  setPath(name, path) {
    this.paths.set(name, path);
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return ready;
  }
  setAboutPanelOptions() {}
  showAboutPanel() {}
  quit() {
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return;
    Promise.all(BrowserWindow.getAllWindows().map((window) => window.close()))
      .then(() => browser?.close())
      .then(() => bridge?.close())
      .finally(() => {
        this.emit('will-quit');
        this.emit('quit');
        quitResolve();
      });
  }
}

export const app = new App();

export const ipcMain = {
  handle: (channel, handler) => ipcHandlers.set(channel, handler),
  removeHandler: (channel) => ipcHandlers.delete(channel),
  on() {}
};

export const protocol = {
  registerSchemesAsPrivileged: (schemes) => standin.privilegedSchemes.push(...schemes),
  handle: (scheme, handler) => protocolHandlers.set(scheme, handler)
};

export const session = {
  defaultSession: {
    webRequest: { onHeadersReceived() {} },
    setPermissionRequestHandler() {},
    setPermissionCheckHandler() {}
  },
  fromPartition: () => session.defaultSession
};

const display = { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1080 } };
export const screen = { getPrimaryDisplay: () => display, getAllDisplays: () => [display] };

export const dialog = {
  showErrorBox: (title, content) => standin.errorBoxes.push(`${title}: ${content}`),
  showMessageBox: async (options) => {
    standin.errorBoxes.push(`${options.title}: ${options.message}`);
    return { response: options.buttons.length - 1 };
  }
};

export const Menu = { buildFromTemplate: (template) => ({ template }), setApplicationMenu() {} };
export const shell = { openExternal: async () => {}, showItemInFolder() {} };

/** As on a Linux desktop without GNOME Keyring or KWallet: Chromium's built-in password. */
export const safeStorage = {
  isAsyncEncryptionAvailable: async () => true,
  encryptStringAsync: async (plain) => Buffer.from(plain),
  decryptStringAsync: async (encrypted) => ({ result: encrypted.toString(), shouldReEncrypt: false }),
  getSelectedStorageBackend: () => 'basic_text'
};

export default { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, screen, session, shell };

chromium
  .launch({ executablePath: process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] })
  .then(async (launched) => {
    browser = launched;
    await startBridge();
    app.emit('ready');
    readyResolve();
  });
