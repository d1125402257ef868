import { describe, expect, it } from 'vitest';
import { updatePhases } from '../../src-main/api';
import {
  checkOutcome,
  compareVersions,
  failureText,
  failureTextLimit,
  nextUpdateStep,
  parseVersion,
  releaseNotesUrl,
  unsupportedMessage,
  updateFeed,
  type UpdateRequest,
  type UpdateSituation
} from '../../src-main/app/updatePolicy';

const found = { version: '0.2.0', releaseName: 'Hearth 0.2.0', releaseDate: '2026-01-02T00:00:00.000Z', releaseNotesUrl: releaseNotesUrl('0.2.0') };
const installed: UpdateSituation = { runtime: 'installed', offline: false, checkAtStartup: false, phase: 'idle', available: null };
const userCheck: UpdateRequest = { action: 'check', trigger: 'user' };
const startupCheck: UpdateRequest = { action: 'check', trigger: 'startup' };
const download: UpdateRequest = { action: 'download' };
const install: UpdateRequest = { action: 'install' };

function step(request: UpdateRequest, changes: Partial<UpdateSituation> = {}) {
  return nextUpdateStep(request, { ...installed, ...changes });
}

describe('where updates apply', () => {
  it('only an installed build updates itself; browser mode and a run from source say how they are updated instead', () => {
    expect(unsupportedMessage('installed')).toBeNull();
    expect(unsupportedMessage('none')).toMatch(/handled by the desktop app.*git pull/);
    expect(unsupportedMessage('source')).toMatch(/installed app only.*npm start.*git pull/);
  });

  it('a check there changes nothing, and a download or an install is refused with that reason', () => {
    for (const runtime of ['none', 'source'] as const) {
      for (const trigger of ['user', 'startup'] as const) expect(step({ action: 'check', trigger }, { runtime, checkAtStartup: true, phase: 'unsupported' })).toEqual({ kind: 'stay' });
      for (const request of [download, install]) {
        expect(step(request, { runtime, phase: 'unsupported', available: found })).toEqual({ kind: 'refuse', code: 'FORBIDDEN', message: unsupportedMessage(runtime) });
      }
    }
  });
});

describe('checking', () => {
  it('goes ahead on the user’s click from any settled phase, a found update included', () => {
    for (const phase of ['idle', 'upToDate', 'available', 'failed'] as const) expect(step(userCheck, { phase })).toEqual({ kind: 'proceed' });
  });

  it('at startup only with the user’s consent (off by default)', () => {
    expect(step(startupCheck)).toEqual({ kind: 'stay' });
    expect(step(startupCheck, { checkAtStartup: true })).toEqual({ kind: 'proceed' });
  });

  it('is refused while offline when the user asked, saying how to allow it; at startup it is silently skipped', () => {
    const refused = step(userCheck, { offline: true });
    expect(refused).toMatchObject({ kind: 'refuse', code: 'FORBIDDEN' });
    expect(refused.kind === 'refuse' && refused.message).toBe('Hearth is offline, so it did not check for updates. Switch offline mode off in Settings → Network to allow it.');
    expect(step(startupCheck, { offline: true, checkAtStartup: true })).toEqual({ kind: 'stay' });
  });

  it('waits while a check, a download or an install is under way, or a download waits to be installed', () => {
    for (const phase of ['checking', 'downloading', 'downloaded', 'installing'] as const) {
      expect(step(userCheck, { phase, available: found })).toEqual({ kind: 'stay' });
      expect(step(startupCheck, { phase, available: found, checkAtStartup: true })).toEqual({ kind: 'stay' });
    }
  });
});

describe('downloading', () => {
  it('goes ahead only for a version a check found, also after a failed attempt', () => {
    expect(step(download, { phase: 'available', available: found })).toEqual({ kind: 'proceed' });
    expect(step(download, { phase: 'failed', available: found })).toEqual({ kind: 'proceed' });
  });

  it('is refused with nothing found, whatever the phase says', () => {
    for (const phase of ['idle', 'upToDate', 'failed', 'available'] as const) {
      expect(step(download, { phase })).toEqual({ kind: 'refuse', code: 'NOT_FOUND', message: 'There is no update to download: check for updates first.' });
    }
    // A check under way has not found anything yet.
    expect(step(download, { phase: 'upToDate', available: found })).toMatchObject({ kind: 'refuse', code: 'NOT_FOUND' });
  });

  it('is refused while offline, naming the version', () => {
    const refused = step(download, { phase: 'available', available: found, offline: true });
    expect(refused).toMatchObject({ kind: 'refuse', code: 'FORBIDDEN', message: expect.stringMatching(/^Hearth is offline, so it did not download version 0\.2\.0\. Switch offline mode off in Settings → Network/) });
  });

  it('does not start twice, nor again once downloaded', () => {
    for (const phase of ['checking', 'downloading', 'downloaded', 'installing'] as const) expect(step(download, { phase, available: found })).toEqual({ kind: 'stay' });
  });
});

describe('installing', () => {
  it('goes ahead only once the download is complete, offline or not (the installer is on disk)', () => {
    expect(step(install, { phase: 'downloaded', available: found })).toEqual({ kind: 'proceed' });
    expect(step(install, { phase: 'downloaded', available: found, offline: true })).toEqual({ kind: 'proceed' });
  });

  it('is refused before that, and not repeated while it runs', () => {
    const before = updatePhases.filter((phase) => !['downloaded', 'installing', 'unsupported'].includes(phase));
    expect(before).toHaveLength(6);
    for (const phase of before) expect(step(install, { phase, available: found })).toEqual({ kind: 'refuse', code: 'NOT_FOUND', message: 'No update is downloaded yet: download it first.' });
    expect(step(install, { phase: 'installing', available: found })).toEqual({ kind: 'stay' });
  });
});

describe('versions (SemVer 2.0.0 precedence)', () => {
  it('reads versions with an optional leading v, pre-release and build metadata, and nothing else', () => {
    expect(parseVersion('1.2.3')).toEqual({ core: [1, 2, 3], prerelease: [] });
    expect(parseVersion('v10.20.30-rc.1+build.5')).toEqual({ core: [10, 20, 30], prerelease: ['rc', '1'] });
    for (const bad of ['1.2', '1.2.3.4', '01.2.3', '1.2.3-', '1.2.3-01', 'latest', '', '1.2.3-a..b']) expect(parseVersion(bad), bad).toBeNull();
  });

  it('orders the specification’s own example chain', () => {
    const chain = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
    for (let index = 1; index < chain.length; index++) {
      expect(compareVersions(chain[index - 1], chain[index]), `${chain[index - 1]} < ${chain[index]}`).toBe(-1);
      expect(compareVersions(chain[index], chain[index - 1]), `${chain[index]} > ${chain[index - 1]}`).toBe(1);
    }
  });

  it('compares numbers as numbers, ignores build metadata and the v, and refuses what is not a version', () => {
    expect(compareVersions('0.10.0', '0.9.0')).toBe(1);
    expect(compareVersions('1.0.0+build.1', 'v1.0.0')).toBe(0);
    expect(compareVersions('1.0.0', 'banana')).toBeNull();
    expect(compareVersions('next', '1.0.0')).toBeNull();
  });
});

describe('what a check found', () => {
  const release = { version: '0.2.0', releaseName: 'Hearth 0.2.0', releaseDate: '2026-01-02T00:00:00.000Z', installable: true };

  it('a newer installable version is offered, with its release page', () => {
    expect(checkOutcome('0.1.0', release)).toEqual({ phase: 'available', available: found });
    expect(checkOutcome('0.1.0', { ...release, version: 'v0.2.0' })).toMatchObject({ available: { version: '0.2.0', releaseNotesUrl: `https://github.com/${updateFeed.owner}/${updateFeed.repo}/releases/tag/v0.2.0` } });
    expect(checkOutcome('0.2.0-beta.1', release)).toMatchObject({ phase: 'available' });
  });

  it('the same, an older, a malformed or a held-back version is not', () => {
    expect(checkOutcome('0.2.0', release)).toEqual({ phase: 'upToDate' });
    expect(checkOutcome('0.3.0', release)).toEqual({ phase: 'upToDate' });
    expect(checkOutcome('0.1.0', { ...release, version: 'latest' })).toEqual({ phase: 'upToDate' });
    expect(checkOutcome('0.1.0', { ...release, installable: false })).toEqual({ phase: 'upToDate' });
  });
});

describe('failures in words', () => {
  it('known updater codes get a sentence; others their first line, cut short', () => {
    const missing = Object.assign(new Error('Unable to find latest version on GitHub (…)\nHttpError: 404'), { code: 'ERR_UPDATER_LATEST_VERSION_NOT_FOUND' });
    expect(failureText(missing)).toBe(`No published release was found at github.com/${updateFeed.owner}/${updateFeed.repo}.`);
    const noConfig = Object.assign(new Error("ENOENT: no such file or directory, open '/opt/Hearth/resources/app-update.yml'"), { code: 'ENOENT', path: '/opt/Hearth/resources/app-update.yml' });
    expect(failureText(noConfig)).toMatch(/without a publish setting \(no app-update\.yml\)/);
    expect(failureText(Object.assign(new Error('ENOENT: models.json'), { code: 'ENOENT', path: '/x/models.json' }))).toBe('ENOENT: models.json');
    expect(failureText(new Error('net::ERR_INTERNET_DISCONNECTED\n    at stack'))).toBe('net::ERR_INTERNET_DISCONNECTED');
    const long = failureText(new Error('x'.repeat(5000)));
    expect(long).toHaveLength(failureTextLimit);
    expect(long.endsWith('…')).toBe(true);
    expect(failureText('plain')).toBe('plain');
    expect(failureText(new Error(''))).toBe('The update failed.');
  });
});
