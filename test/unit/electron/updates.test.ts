import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { OutboundGate } from '../../../src-main/app';
import { updateFeed } from '../../../src-main/app';
import { configureUpdater, createDesktopUpdater, routeThroughGate, type AppUpdaterLike, type UpdaterWebRequest } from '../../../src-main/electron/updates';
import { Outbound } from '../../../src-main/network';

/** A session's webRequest that keeps the listeners, so a test can play a request's life through them. */
function fakeWebRequest() {
  const hooks: Partial<{ [K in keyof UpdaterWebRequest]: Parameters<UpdaterWebRequest[K]>[0] }> = {};
  const webRequest: UpdaterWebRequest = {
    onBeforeRequest: (listener) => void (hooks.onBeforeRequest = listener),
    onBeforeRedirect: (listener) => void (hooks.onBeforeRedirect = listener),
    onCompleted: (listener) => void (hooks.onCompleted = listener),
    onErrorOccurred: (listener) => void (hooks.onErrorOccurred = listener)
  };
  /** Starts a request as Chromium would; true when it was let through. */
  const start = (id: number, url: string, method = 'GET') => {
    let cancelled: boolean | undefined;
    hooks.onBeforeRequest!({ id, url, method }, (response) => (cancelled = response.cancel));
    return cancelled !== true;
  };
  return { webRequest, hooks, start };
}

/** The network door as Hearth builds it, with offline mode as a flag. */
function door() {
  const network = { offline: false };
  const outbound = new Outbound({ offline: () => network.offline, now: () => 1 });
  const gate: OutboundGate = { permit: (url, method) => outbound.track('update', url, method) };
  return { network, outbound, gate };
}

describe('the updater’s requests go through the network door', () => {
  it('each is logged as an update request, with its status, a redirect’s included', () => {
    const { outbound, gate } = door();
    const { webRequest, hooks, start } = fakeWebRequest();
    routeThroughGate(webRequest, gate);
    expect(start(1, 'https://github.com/hearth-app/hearth/releases/latest')).toBe(true);
    hooks.onCompleted!({ id: 1, url: 'https://github.com/hearth-app/hearth/releases/latest', method: 'GET', statusCode: 200 });
    expect(start(2, 'https://github.com/hearth-app/hearth/releases/download/v0.2.0/Hearth-0.2.0.exe?x=1')).toBe(true);
    hooks.onBeforeRedirect!({ id: 2, url: 'https://github.com/…', method: 'GET', statusCode: 302 });
    // electron-updater aborts the redirected request itself; that error must not overwrite the 302.
    hooks.onErrorOccurred!({ id: 2, url: 'https://github.com/…', method: 'GET', error: 'net::ERR_ABORTED' });
    expect(start(3, 'https://objects.githubusercontent.com/release-asset?sig=secret')).toBe(true);
    hooks.onErrorOccurred!({ id: 3, url: 'https://objects.githubusercontent.com/release-asset', method: 'GET', error: 'net::ERR_CONNECTION_RESET' });
    expect(outbound.log().map(({ purpose, url, status, error, blocked }) => ({ purpose, url, status, error, blocked }))).toEqual([
      { purpose: 'update', url: 'https://objects.githubusercontent.com/release-asset?…', status: null, error: 'net::ERR_CONNECTION_RESET', blocked: false },
      { purpose: 'update', url: 'https://github.com/hearth-app/hearth/releases/download/v0.2.0/Hearth-0.2.0.exe?…', status: 302, error: null, blocked: false },
      { purpose: 'update', url: 'https://github.com/hearth-app/hearth/releases/latest', status: 200, error: null, blocked: false }
    ]);
  });

  it('while offline each is cancelled before it leaves, and logged as blocked', () => {
    const { network, outbound, gate } = door();
    const { webRequest, start } = fakeWebRequest();
    routeThroughGate(webRequest, gate);
    network.offline = true;
    expect(start(7, 'https://github.com/hearth-app/hearth/releases/latest')).toBe(false);
    expect(outbound.log()).toMatchObject([{ purpose: 'update', blocked: true, error: 'blocked: Hearth is offline' }]);
    network.offline = false;
    expect(start(8, 'https://github.com/hearth-app/hearth/releases/latest')).toBe(true);
  });
});

/** electron-updater's autoUpdater as far as Hearth uses it, recording what is asked of it. */
class FakeAutoUpdater extends EventEmitter implements AppUpdaterLike {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  feed: unknown = null;
  readonly web = fakeWebRequest();
  readonly netSession = { webRequest: this.web.webRequest };
  readonly asked: string[] = [];
  result: Awaited<ReturnType<AppUpdaterLike['checkForUpdates']>> = { isUpdateAvailable: true, updateInfo: { version: '0.2.0', releaseName: 'Hearth 0.2.0', releaseDate: '2026-01-02T00:00:00.000Z' } };

  setFeedURL(options: typeof updateFeed): void {
    this.feed = options;
  }
  async checkForUpdates() {
    this.asked.push('check');
    return this.result;
  }
  async downloadUpdate() {
    this.asked.push('download');
    this.emit('download-progress', { percent: 50, transferred: 5, total: 10, bytesPerSecond: 3, delta: 5 });
    return ['/tmp/Hearth-0.2.0.exe'];
  }
  quitAndInstall(): void {
    this.asked.push('install');
    this.emit('error', new Error('No update filepath provided, can’t quit and install'));
  }
}

describe('electron-updater, set up for consent', () => {
  it('never downloads or installs on its own, reads the project’s feed, and routes its session through the gate', () => {
    const { outbound, gate } = door();
    const updater = new FakeAutoUpdater();
    configureUpdater(updater, gate);
    expect({ autoDownload: updater.autoDownload, autoInstallOnAppQuit: updater.autoInstallOnAppQuit, feed: updater.feed }).toEqual({ autoDownload: false, autoInstallOnAppQuit: false, feed: { provider: 'github', owner: updateFeed.owner, repo: updateFeed.repo } });
    updater.web.start(1, 'https://github.com/x');
    expect(outbound.log()).toHaveLength(1);
  });

  it('is loaded at the first check, not before, and answers with the release, its progress and an install’s failure', async () => {
    const updater = new FakeAutoUpdater();
    let loads = 0;
    const desktop = createDesktopUpdater(async () => (loads++, updater), true)(door().gate);
    expect(desktop.packaged).toBe(true);
    expect(loads).toBe(0);

    expect(await desktop.latestRelease()).toEqual({ version: '0.2.0', releaseName: 'Hearth 0.2.0', releaseDate: '2026-01-02T00:00:00.000Z', installable: true });
    expect(updater.autoDownload).toBe(false);
    const progress: unknown[] = [];
    await desktop.download((figures) => progress.push(figures));
    expect(progress).toEqual([{ percent: 50, transferredBytes: 5, totalBytes: 10, bytesPerSecond: 3 }]);
    expect(updater.listenerCount('download-progress')).toBe(0);

    const failures: unknown[] = [];
    desktop.install((error) => failures.push(error));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(failures).toEqual([new Error('No update filepath provided, can’t quit and install')]);
    expect(updater.asked).toEqual(['check', 'download', 'install']);
    expect(loads).toBe(1);
  });

  it('an inactive updater (a build that cannot replace itself) is a failed check, and a missing release name is null', async () => {
    const updater = new FakeAutoUpdater();
    const desktop = createDesktopUpdater(async () => updater, true)(door().gate);
    updater.result = { isUpdateAvailable: false, updateInfo: { version: '0.1.0', releaseDate: '' } };
    expect(await desktop.latestRelease()).toEqual({ version: '0.1.0', releaseName: null, releaseDate: null, installable: false });
    updater.result = null;
    await expect(desktop.latestRelease()).rejects.toThrow(/cannot update itself/);
  });
});
