import type { UpdateStatus } from '$api/contract';
import type { HearthApi } from './api';
import type { ErrorState } from './errors.svelte';
import { Task } from './task.svelte';

/** What the user can do next about updates, each a button. */
export type UpdateAction = 'check' | 'download' | 'install';

/** Each action's button text. */
export const updateActionLabels: Record<UpdateAction, string> = { check: 'Check for updates', download: 'Download', install: 'Restart to install' };

/** The buttons the status offers, the step forward first; none while a step runs or where updates do not apply. */
export function updateActions(status: UpdateStatus): UpdateAction[] {
  switch (status.phase) {
    case 'idle':
    case 'upToDate':
      return ['check'];
    case 'available':
      return ['download', 'check'];
    case 'failed':
      return status.available ? ['download', 'check'] : ['check'];
    case 'downloaded':
      return ['install'];
    default:
      return [];
  }
}

/** Where updating stands, in one sentence. */
export function describeUpdate(status: UpdateStatus): string {
  const version = status.available?.version;
  switch (status.phase) {
    case 'unsupported':
      return status.message ?? '';
    case 'idle':
      return 'Not checked since Hearth started.';
    case 'checking':
      return 'Checking for updates…';
    case 'upToDate':
      return `Hearth ${status.currentVersion} is the latest version.`;
    case 'available':
      return `Version ${version} is available.`;
    case 'downloading':
      return `Downloading version ${version}…`;
    case 'downloaded':
      return `Version ${version} is downloaded. Hearth restarts to install it when you say so.`;
    case 'installing':
      return `Restarting to install version ${version}…`;
    case 'failed':
      return `Updating failed: ${status.message ?? 'no reason was given.'}`;
  }
}

/** Settings → Updates: the desktop app's update status, live, and the steps the user takes. */
export class UpdatesState {
  status = $state.raw<UpdateStatus | null>(null);
  /** A check, download or install the user asked for; its problem is a refusal (offline, say). */
  readonly acting = new Task();
  readonly switching = new Task();

  constructor(
    private readonly api: HearthApi,
    private readonly errors: ErrorState
  ) {}

  async load(): Promise<void> {
    try {
      this.status = await this.api.call('updates.status', {});
    } catch (error) {
      this.errors.report(error, 'Could not read the update status');
    }
  }

  /** A status the main process announced (`updates.changed`): a check's answer, a download's progress. */
  show(status: UpdateStatus): void {
    this.status = status;
  }

  /** Takes a step the user clicked; true when it was not refused (what it leads to arrives as `show`). */
  act(action: UpdateAction): Promise<boolean> {
    const method = ({ check: 'updates.check', download: 'updates.download', install: 'updates.install' } as const)[action];
    return this.acting.run(async () => {
      this.status = await this.api.call(method, {});
    });
  }

  /** The user's consent to a check each time Hearth starts. */
  async setCheckAtStartup(checkAtStartup: boolean): Promise<void> {
    await this.switching.run(async () => {
      this.status = await this.api.call('updates.configure', { settings: { checkAtStartup } });
    });
  }
}
