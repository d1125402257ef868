/**
 * The desktop app's entry point: lifecycle only. The services live in ../app, and every decision
 * about security, IPC, menus and window state lives in the modules beside this one.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage, screen, session, shell } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHearth, historyRemedies, keepServingOnUnexpectedErrors, type Hearth, type HearthOptions } from '../app';
import { HistoryFileError } from '../history';
import { resolvePaths } from '../paths';
import { appScheme, appSchemePrivileges, createAppProtocolHandler } from './appProtocol';
import { createAppUrlPolicy, rendererUrl } from './appUrl';
import { ipcChannels, type MenuCommand } from './channels';
import { bindIpc } from './ipc';
import { openSecretStore } from './secrets';
import { buildMenuTemplate } from './menu';
import { contentSecurityPolicy, startOpenAiServer } from '../server';
import { guardSession, guardWebContents } from './security';
import { desktopAlreadyOpenLine, desktopOpenLine } from './startup';
import { createMainWindow } from './window';
import { createDesktopUpdater } from './updates';
import { fitToDisplays, readWindowState, trackWindowState, windowStateFile } from './windowState';

const appName = 'Hearth';
app.setName(appName);
// "Hearth", not the package's "hearth": the same folder browser mode uses (see resolvePaths).
const paths = resolvePaths({ dataDir: process.env.HEARTH_DATA_DIR || join(app.getPath('appData'), appName) }, process.env);
// Chromium's storage and the single-instance lock follow the data: one running app per data folder,
// so a test run with its own HEARTH_DATA_DIR is not turned away by the user's open app.
app.setPath('userData', paths.dataDir);
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
// Resolved from this bundle (out/main/index.js): the working directory can be anything.
const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));
const appUrl = rendererUrl({ devServerUrl });
const preloadPath = fileURLToPath(new URL('../preload/preload.cjs', import.meta.url));
const isAppUrl = createAppUrlPolicy(appUrl);

let mainWindow: BrowserWindow | null = null;
let windowShown = false;

// Before the app is ready, or Chromium treats hearth: as an opaque, insecure scheme.
protocol.registerSchemesAsPrivileged([{ scheme: appScheme, privileges: appSchemePrivileges }]);

function openMainWindow(): BrowserWindow {
  const stateFile = windowStateFile(paths.dataDir);
  const primary = screen.getPrimaryDisplay();
  const displays = [primary, ...screen.getAllDisplays().filter((display) => display.id !== primary.id)];
  const state = fitToDisplays(readWindowState(stateFile), displays.map((display) => display.workArea));
  const window = createMainWindow({ BrowserWindow, preloadPath, appUrl, state });
  trackWindowState(window, stateFile);
  window.once('ready-to-show', () => {
    // `hearth start` waits for this line: until it, an exit is a failed start to report (launcher.ts).
    if (!windowShown) process.stdout.write(`${desktopOpenLine}\n`);
    windowShown = true;
  });
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  mainWindow = window;
  return window;
}

function showMainWindow(): void {
  if (!mainWindow) {
    openMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

function sendMenuCommand(command: MenuCommand): void {
  // macOS keeps running with no window: opening one is then the answer to either command.
  if (mainWindow) mainWindow.webContents.send(ipcChannels.menu, command);
  else openMainWindow();
}

function installMenu(hearth: Hearth): void {
  app.setAboutPanelOptions({ applicationName: appName, applicationVersion: hearth.info.version });
  const template = buildMenuTemplate({
    appName,
    isMac: process.platform === 'darwin',
    isDev: devServerUrl !== undefined,
    sendCommand: sendMenuCommand,
    showAbout: () => app.showAboutPanel()
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Set once the services run: what must finish before the process exits. */
let shutdown = async (): Promise<void> => {};

/** Opens the app; a history that cannot be used is kept, and the user picks a remedy or quits. */
async function openHearth(options: HearthOptions): Promise<Hearth> {
  for (;;) {
    try {
      return await createHearth(paths, options);
    } catch (error) {
      if (!(error instanceof HistoryFileError)) throw error;
      const remedies = historyRemedies(paths.databaseFile, error);
      const buttons = [...remedies.map((remedy) => remedy.label), 'Quit'];
      const { response } = await dialog.showMessageBox({ type: 'error', title: `${appName}: the history cannot be opened`, message: error.message, buttons, defaultId: 0, cancelId: remedies.length });
      const remedy = remedies[response];
      if (!remedy) throw error;
      remedy.apply();
    }
  }
}

async function start(): Promise<void> {
  protocol.handle(appScheme, createAppProtocolHandler(rendererDir));
  guardSession(session.defaultSession, isAppUrl, contentSecurityPolicy({ devServerUrl }));
  const secrets = await openSecretStore(safeStorage, join(paths.dataDir, 'secrets.json'));
  const hearth = await openHearth({
    desktop: {
      secrets,
      revealInFolder: (path) => shell.showItemInFolder(path),
      // Loaded at the first check: electron-updater is CommonJS, its `autoUpdater` a getter on the module.
      updater: createDesktopUpdater(async () => (await import('electron-updater')).default.autoUpdater, app.isPackaged)
    },
    startOpenAiServer
  });
  keepServingOnUnexpectedErrors((message) => dialog.showErrorBox(appName, message));
  // The OpenAI API runs while the app does, if the user switched it on in Settings.
  await hearth.apiServer.resume();
  const disposeIpc = bindIpc({
    ipcMain,
    router: hearth.router,
    events: hearth.events,
    isAppUrl,
    eventTargets: () => BrowserWindow.getAllWindows().map((window) => window.webContents)
  });
  shutdown = async () => {
    // Windows still open must not reach services that are closing.
    disposeIpc();
    await hearth.close();
    await secrets.written();
  };
  installMenu(hearth);
  openMainWindow();
  // Registered only now: before the services run there is no window to show.
  app.on('second-instance', showMainWindow);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
  });
}

function failToStart(error: unknown): void {
  dialog.showErrorBox(`${appName} could not start`, error instanceof Error ? error.message : String(error));
  app.quit();
}

/** Holds the quit until the services have closed: the history must flush and the model unload. */
function closeBeforeQuit(started: Promise<void>): void {
  let state: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (state === 'closed') return;
    event.preventDefault();
    if (state === 'closing') return;
    state = 'closing';
    started
      .then(() => shutdown())
      .catch((error: unknown) => console.error('[hearth] shutdown failed:', error))
      .finally(() => {
        state = 'closed';
        app.quit();
      });
  });
}

if (!app.requestSingleInstanceLock()) {
  // The running app gets 'second-instance' and shows its window.
  process.stdout.write(`${desktopAlreadyOpenLine}\n`);
  app.quit();
} else {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, isAppUrl, shell));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  closeBeforeQuit(app.whenReady().then(start).catch(failToStart));
}
