import { describe, expect, it } from 'vitest';
import { updatePhases, type UpdateStatus } from '$api/contract';
import { ApiClientError } from '../../../src-renderer/src/lib/api';
import { ErrorState } from '../../../src-renderer/src/lib/errors.svelte';
import { describeUpdate, updateActions, UpdatesState } from '../../../src-renderer/src/lib/updates.svelte';
import { FakeApi } from './fakes';

const available = { version: '0.2.0', releaseName: 'Hearth 0.2.0', releaseDate: null, releaseNotesUrl: 'https://github.com/hearth-app/hearth/releases/tag/v0.2.0' };

function status(overrides: Partial<UpdateStatus> = {}): UpdateStatus {
  return { currentVersion: '0.1.0', phase: 'idle', message: null, available: null, progress: null, checkedAt: null, settings: { checkAtStartup: false }, ...overrides };
}

describe('Settings → Updates in words and buttons', () => {
  it('offers each step only when it can be taken, the step forward first', () => {
    const offered = Object.fromEntries(updatePhases.map((phase) => [phase, updateActions(status({ phase, available: phase === 'idle' || phase === 'upToDate' ? null : available }))]));
    expect(offered).toEqual({
      unsupported: [],
      idle: ['check'],
      checking: [],
      upToDate: ['check'],
      available: ['download', 'check'],
      downloading: [],
      downloaded: ['install'],
      installing: [],
      failed: ['download', 'check']
    });
    // A failed check has nothing to download.
    expect(updateActions(status({ phase: 'failed', message: 'net::ERR_NAME_NOT_RESOLVED' }))).toEqual(['check']);
  });

  it('says where updating stands, with the version it is about', () => {
    expect(describeUpdate(status({ phase: 'unsupported', message: 'Updates are handled by the desktop app.' }))).toBe('Updates are handled by the desktop app.');
    expect(describeUpdate(status({ phase: 'upToDate' }))).toBe('Hearth 0.1.0 is the latest version.');
    expect(describeUpdate(status({ phase: 'available', available }))).toBe('Version 0.2.0 is available.');
    expect(describeUpdate(status({ phase: 'downloaded', available }))).toMatch(/^Version 0\.2\.0 is downloaded\./);
    expect(describeUpdate(status({ phase: 'failed', message: 'sha512 checksum mismatch' }))).toBe('Updating failed: sha512 checksum mismatch');
  });
});

describe('the updates store', () => {
  it('shows each answer and each announced change, and keeps a refusal as the step’s problem', async () => {
    const api = new FakeApi();
    const updates = new UpdatesState(api, new ErrorState());
    const loading = updates.load();
    await api.last('updates.status').answer(status());
    await loading;
    expect(updates.status?.phase).toBe('idle');

    const checking = updates.act('check');
    updates.show(status({ phase: 'checking' }));
    expect(updates.acting.running).toBe(true);
    await api.last('updates.check').fail(new ApiClientError('FORBIDDEN', 'Hearth is offline, so it did not check for updates.'));
    expect(await checking).toBe(false);
    expect(updates.acting.problem).toBe('Hearth is offline, so it did not check for updates.');

    const downloading = updates.act('download');
    await api.last('updates.download').answer(status({ phase: 'downloading', available }));
    expect(await downloading).toBe(true);
    expect(updates.acting.problem).toBeNull();
    updates.show(status({ phase: 'downloading', available, progress: { percent: 50, transferredBytes: 5, totalBytes: 10, bytesPerSecond: 1 } }));
    expect(updates.status?.progress?.percent).toBe(50);

    const switching = updates.setCheckAtStartup(true);
    expect(api.last('updates.configure').input).toEqual({ settings: { checkAtStartup: true } });
    await api.last('updates.configure').answer(status({ settings: { checkAtStartup: true } }));
    await switching;
    expect(updates.status?.settings.checkAtStartup).toBe(true);
  });
});
