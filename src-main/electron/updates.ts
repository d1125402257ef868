/**
 * The installed app's updater: electron-updater reading GitHub releases (`updateFeed`), with both of its
 * automatic steps off (it neither downloads nor installs on its own) and every request it makes going
 * through Hearth's network door. electron-updater makes those requests itself, with Electron's `net` on
 * a session of its own (`autoUpdater.netSession`); requests on a session pass through that session's
 * `webRequest` hooks, so the hooks check and log each one like Hearth's own requests, and cancel it while
 * Hearth is offline. (On macOS, Squirrel.Mac then reads the download from a loopback server electron-updater
 * runs: nothing further leaves the machine.) What to do when is decided in ../app, not here.
 */
import { updateFeed, type DesktopUpdater, type OutboundGate, type ReleaseInfo } from '../app';

interface RequestDetails {
  id: number;
  url: string;
  method: string;
}

/** The part of a session's `webRequest` used (tests pass a fake). */
export interface UpdaterWebRequest {
  onBeforeRequest(listener: (details: RequestDetails, callback: (response: { cancel?: boolean }) => void) => void): void;
  onBeforeRedirect(listener: (details: RequestDetails & { statusCode: number }) => void): void;
  onCompleted(listener: (details: RequestDetails & { statusCode: number }) => void): void;
  onErrorOccurred(listener: (details: RequestDetails & { error: string }) => void): void;
}

/** electron-updater's `download-progress` payload; `percent` is 0–100. */
interface ProgressInfo {
  percent: number;
  transferred: number;
  total: number;
  bytesPerSecond: number;
}

/** The part of electron-updater's `autoUpdater` used (tests pass a fake). */
export interface AppUpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  readonly netSession: { webRequest: UpdaterWebRequest };
  setFeedURL(options: typeof updateFeed): void;
  /** Null when the updater is inactive: not a packaged build, or one that cannot replace itself. */
  checkForUpdates(): Promise<{ isUpdateAvailable: boolean; updateInfo: { version: string; releaseName?: string | null; releaseDate: string } } | null>;
  downloadUpdate(): Promise<string[]>;
  quitAndInstall(): void;
  on(event: 'download-progress', listener: (info: ProgressInfo) => void): unknown;
  removeListener(event: 'download-progress', listener: (info: ProgressInfo) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Routes every request on the updater's session through `gate`: logged before it starts and settled with
 * its status (a redirect's too: electron-updater follows each redirect with a new request) or its error;
 * cancelled when the gate refuses it.
 */
export function routeThroughGate(webRequest: UpdaterWebRequest, gate: OutboundGate): void {
  const open = new Map<number, ReturnType<OutboundGate['permit']>>();
  const settle = (id: number, result: { status: number } | { error: string }) => {
    const record = open.get(id);
    open.delete(id);
    record?.(result);
  };
  webRequest.onBeforeRequest((details, callback) => {
    try {
      open.set(details.id, gate.permit(details.url, details.method));
      callback({});
    } catch {
      // The gate has logged the refusal; electron-updater sees a failed request.
      callback({ cancel: true });
    }
  });
  webRequest.onBeforeRedirect((details) => settle(details.id, { status: details.statusCode }));
  webRequest.onCompleted((details) => settle(details.id, { status: details.statusCode }));
  webRequest.onErrorOccurred((details) => settle(details.id, { error: details.error }));
}

/** Turns off what would act without the user, points it at the feed, and routes its requests through `gate`. */
export function configureUpdater(updater: AppUpdaterLike, gate: OutboundGate): AppUpdaterLike {
  updater.autoDownload = false;
  updater.autoInstallOnAppQuit = false;
  updater.setFeedURL(updateFeed);
  routeThroughGate(updater.netSession.webRequest, gate);
  return updater;
}

/**
 * The desktop app's updater for the services (`DesktopCapabilities.updater`). `load` gives electron-updater's
 * `autoUpdater`; it is called at the first check, so a run from source, which never checks, never loads it.
 */
export function createDesktopUpdater(load: () => Promise<AppUpdaterLike>, packaged: boolean): (gate: OutboundGate) => DesktopUpdater {
  return (gate) => {
    let loaded: Promise<AppUpdaterLike> | null = null;
    const ready = () => (loaded ??= load().then((updater) => configureUpdater(updater, gate)));
    return {
      packaged,
      async latestRelease(): Promise<ReleaseInfo> {
        const result = await (await ready()).checkForUpdates();
        // electron-updater is inactive in a build that cannot replace itself, e.g. linux-unpacked (not an AppImage, .deb or .rpm).
        if (!result) throw new Error('This build cannot update itself: only an installed app (installer, AppImage, .deb or .rpm) can.');
        const { version, releaseName, releaseDate } = result.updateInfo;
        return { version, releaseName: releaseName ?? null, releaseDate: releaseDate || null, installable: result.isUpdateAvailable };
      },
      async download(onProgress) {
        const updater = await ready();
        const listener = (info: ProgressInfo) => onProgress({ percent: info.percent, transferredBytes: info.transferred, totalBytes: info.total, bytesPerSecond: info.bytesPerSecond });
        updater.on('download-progress', listener);
        try {
          await updater.downloadUpdate();
        } finally {
          updater.removeListener('download-progress', listener);
        }
      },
      install(onFailure) {
        ready()
          .then((updater) => {
            // electron-updater reports a failed install as an `error` event and returns normally.
            updater.once('error', onFailure);
            updater.quitAndInstall();
          })
          .catch(onFailure);
      }
    };
  };
}
