import { describe, expect, it } from 'vitest';
import { ApiError, defaultUpdateSettings, type UpdateProgress, type UpdateSettings, type UpdateStatus } from '../../src-main/api';
import type { DesktopUpdater, ReleaseInfo } from '../../src-main/app/desktop';
import { UpdateService } from '../../src-main/app/updates';

/** A promise with its settling handles, to hold the fake updater at a step. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((done, fail) => ((resolve = done), (reject = fail)));
  return { promise, resolve, reject };
}

const release: ReleaseInfo = { version: '0.2.0', releaseName: 'Hearth 0.2.0', releaseDate: '2026-01-02T00:00:00.000Z', installable: true };

/** A recording updater; each call waits until the test settles it. */
function fakeUpdater(packaged = true) {
  const calls: string[] = [];
  const checks: ReturnType<typeof deferred<ReleaseInfo>>[] = [];
  const downloads: { done: ReturnType<typeof deferred<void>>; onProgress: (progress: UpdateProgress) => void }[] = [];
  const installs: ((error: unknown) => void)[] = [];
  const updater: DesktopUpdater = {
    packaged,
    latestRelease() {
      calls.push('check');
      checks.push(deferred<ReleaseInfo>());
      return checks.at(-1)!.promise;
    },
    download(onProgress) {
      calls.push('download');
      downloads.push({ done: deferred<void>(), onProgress });
      return downloads.at(-1)!.done.promise;
    },
    install(onFailure) {
      calls.push('install');
      installs.push(onFailure);
    }
  };
  return { updater, calls, checks, downloads, installs };
}

function service(updater: DesktopUpdater | null, options: { offline?: boolean; settings?: UpdateSettings } = {}) {
  let settings = options.settings ?? { ...defaultUpdateSettings };
  const network = { offline: options.offline ?? false };
  const changes: UpdateStatus[] = [];
  const updates = new UpdateService({
    currentVersion: '0.1.0',
    updater,
    offline: () => network.offline,
    settings: { read: () => settings, write: (next) => (settings = { ...settings, ...next }) },
    onChange: (status) => changes.push(status),
    now: () => 1234
  });
  return { updates, changes, network, phases: () => changes.map((status) => status.phase) };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function refusal(work: () => unknown): Promise<ApiError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('updates without an installed build', () => {
  it('browser mode answers that the desktop app handles updates, and refuses downloading and installing', async () => {
    const { updates, changes } = service(null);
    expect(updates.status()).toEqual({ currentVersion: '0.1.0', phase: 'unsupported', message: expect.stringContaining('handled by the desktop app'), available: null, progress: null, checkedAt: null, settings: { checkAtStartup: false } });
    expect(await updates.check()).toEqual(updates.status());
    expect((await refusal(() => updates.download())).code).toBe('FORBIDDEN');
    expect((await refusal(() => updates.install())).code).toBe('FORBIDDEN');
    expect(changes).toEqual([]);
  });

  it('the desktop app run from source answers that updates apply to the installed app only, and never asks its updater', async () => {
    const fake = fakeUpdater(false);
    const { updates } = service(fake.updater, { settings: { checkAtStartup: true } });
    updates.startupCheck();
    expect((await updates.check()).message).toMatch(/^Updates apply to the installed app only/);
    expect(fake.calls).toEqual([]);
  });
});

describe('the user-started flow: check, Download, Restart to install', () => {
  it('announces each step and asks the updater only after each click', async () => {
    const fake = fakeUpdater();
    const { updates, phases, changes } = service(fake.updater);
    expect(updates.status().phase).toBe('idle');

    const checked = updates.check();
    expect(updates.status().phase).toBe('checking');
    fake.checks[0].resolve(release);
    const found = await checked;
    expect(found).toMatchObject({ phase: 'available', checkedAt: 1234, available: { version: '0.2.0', releaseNotesUrl: expect.stringMatching(/\/releases\/tag\/v0\.2\.0$/) } });
    expect(fake.calls).toEqual(['check']);

    expect(updates.download()).toMatchObject({ phase: 'downloading', progress: null });
    fake.downloads[0].onProgress({ percent: 40, transferredBytes: 4, totalBytes: 10, bytesPerSecond: 2 });
    expect(changes.at(-1)).toMatchObject({ phase: 'downloading', progress: { percent: 40 } });
    // A second click while it runs starts nothing.
    updates.download();
    fake.downloads[0].done.resolve();
    await flush();
    expect(updates.status()).toMatchObject({ phase: 'downloaded', progress: null, available: { version: '0.2.0' } });
    expect(fake.calls).toEqual(['check', 'download']);

    expect(updates.install().phase).toBe('installing');
    expect(fake.calls).toEqual(['check', 'download', 'install']);
    expect(phases()).toEqual(['checking', 'available', 'downloading', 'downloading', 'downloaded', 'installing']);
  });

  it('finds nothing newer: up to date, and Download is refused', async () => {
    const fake = fakeUpdater();
    const { updates } = service(fake.updater);
    const checked = updates.check();
    fake.checks[0].resolve({ ...release, version: '0.1.0' });
    expect((await checked).phase).toBe('upToDate');
    expect((await refusal(() => updates.download())).code).toBe('NOT_FOUND');
    expect((await refusal(() => updates.install())).code).toBe('NOT_FOUND');
  });

  it('keeps a failure in the status in one line; a failed download can be tried again', async () => {
    const fake = fakeUpdater();
    const { updates } = service(fake.updater);
    const checked = updates.check();
    fake.checks[0].reject(new Error('net::ERR_NAME_NOT_RESOLVED\n    at SimpleURLLoaderWrapper'));
    expect(await checked).toMatchObject({ phase: 'failed', message: 'net::ERR_NAME_NOT_RESOLVED', available: null });

    const again = updates.check();
    fake.checks[1].resolve(release);
    await again;
    updates.download();
    fake.downloads[0].done.reject(new Error('sha512 checksum mismatch'));
    await flush();
    // Progress that arrives after the failure does not revive the bar.
    fake.downloads[0].onProgress({ percent: 90, transferredBytes: 9, totalBytes: 10, bytesPerSecond: 2 });
    expect(updates.status()).toMatchObject({ phase: 'failed', message: 'sha512 checksum mismatch', progress: null, available: { version: '0.2.0' } });
    expect(updates.download().phase).toBe('downloading');
  });

  it('a failed install says why and leaves the update to download again', async () => {
    const fake = fakeUpdater();
    const { updates } = service(fake.updater);
    const checked = updates.check();
    fake.checks[0].resolve(release);
    await checked;
    updates.download();
    fake.downloads[0].done.resolve();
    await flush();
    updates.install();
    fake.installs[0](new Error('No update filepath provided, can’t quit and install'));
    expect(updates.status()).toMatchObject({ phase: 'failed', message: 'No update filepath provided, can’t quit and install', available: { version: '0.2.0' } });
  });
});

describe('offline mode and consent', () => {
  it('refuses a check while offline without asking the updater, and says how to allow it', async () => {
    const fake = fakeUpdater();
    const { updates, changes } = service(fake.updater, { offline: true });
    const error = await refusal(() => updates.check());
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/Settings → Network/);
    expect(fake.calls).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('a download cut off by going offline says so instead of the network error', async () => {
    const fake = fakeUpdater();
    const { updates, network } = service(fake.updater);
    const checked = updates.check();
    fake.checks[0].resolve(release);
    await checked;
    updates.download();
    network.offline = true;
    fake.downloads[0].done.reject(new Error('net::ERR_BLOCKED_BY_CLIENT'));
    await flush();
    expect(updates.status().message).toMatch(/^Hearth went offline, so the update stopped/);
    expect((await refusal(() => updates.download())).code).toBe('FORBIDDEN');
  });

  it('checks at startup only once the user opted in, and never downloads on its own', async () => {
    const off = fakeUpdater();
    service(off.updater).updates.startupCheck();
    expect(off.calls).toEqual([]);

    const on = fakeUpdater();
    const { updates } = service(on.updater);
    expect(updates.configure({ checkAtStartup: true }).settings).toEqual({ checkAtStartup: true });
    updates.startupCheck();
    on.checks[0].resolve(release);
    await flush();
    expect(updates.status().phase).toBe('available');
    expect(on.calls).toEqual(['check']);
  });

  it('skips the startup check while offline, leaving no trace', async () => {
    const fake = fakeUpdater();
    const { updates, changes } = service(fake.updater, { offline: true, settings: { checkAtStartup: true } });
    updates.startupCheck();
    await flush();
    expect(fake.calls).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('announces a settings change with the whole status', () => {
    const { updates, changes } = service(fakeUpdater().updater);
    updates.configure({ checkAtStartup: true });
    expect(changes).toEqual([expect.objectContaining({ phase: 'idle', settings: { checkAtStartup: true } })]);
  });
});
