import { ApiError, type AvailableUpdate, type UpdatePhase, type UpdateProgress, type UpdateSettings, type UpdateStatus } from '../api';
import type { DesktopUpdater } from './desktop';
import { checkOutcome, failureText, nextUpdateStep, unsupportedMessage, type CheckTrigger, type UpdateRequest, type UpdateRuntime } from './updatePolicy';

/** What the update service works with; createHearth wires it to the desktop, the preferences and the event bus. */
export interface UpdateServiceOptions {
  /** The version running (package.json's). */
  currentVersion: string;
  /** The desktop app's updater; null where there is none (browser mode, the CLI). */
  updater: DesktopUpdater | null;
  /** Read on every request: switching offline refuses the next one at once. */
  offline: () => boolean;
  /** Settings → Updates, kept with the other preferences. */
  settings: { read(): UpdateSettings; write(changes: Partial<UpdateSettings>): UpdateSettings };
  /** Every change of the status (the `updates.changed` event). */
  onChange: (status: UpdateStatus) => void;
  now?: () => number;
}

/** The parts of the status that change; the version and the settings are read when it is reported. */
interface UpdateState {
  phase: UpdatePhase;
  message: string | null;
  available: AvailableUpdate | null;
  progress: UpdateProgress | null;
  checkedAt: number | null;
}

/**
 * Where updating stands, and the steps that ./updatePolicy.ts allows, carried out on the desktop updater.
 * A check answers when the feed has; a download and an install answer once started, and their progress and
 * outcome arrive through `onChange`. A refusal is thrown as a typed ApiError; a failure of the updater is
 * kept in the status (phase `failed`, with its message) rather than thrown.
 */
export class UpdateService {
  private readonly runtime: UpdateRuntime;
  private state: UpdateState;

  constructor(private readonly options: UpdateServiceOptions) {
    const updater = options.updater;
    this.runtime = updater === null ? 'none' : updater.packaged ? 'installed' : 'source';
    const message = unsupportedMessage(this.runtime);
    this.state = { phase: message === null ? 'idle' : 'unsupported', message, available: null, progress: null, checkedAt: null };
  }

  /** Where updating stands now, with the stored settings. */
  status(): UpdateStatus {
    return { currentVersion: this.options.currentVersion, ...this.state, settings: this.options.settings.read() };
  }

  /** Asks the feed for its latest release; resolves with the outcome (a failure is in the status). */
  async check(trigger: CheckTrigger = 'user'): Promise<UpdateStatus> {
    const updater = this.proceed({ action: 'check', trigger });
    if (!updater) return this.status();
    this.set({ phase: 'checking', message: null, available: null, progress: null });
    try {
      const release = await updater.latestRelease();
      this.set({ ...checkOutcome(this.options.currentVersion, release), checkedAt: (this.options.now ?? Date.now)() });
    } catch (error) {
      this.set({ phase: 'failed', message: this.failure(error) });
    }
    return this.status();
  }

  /** Starts downloading the version the last check found; answers at once, with phase `downloading`. */
  download(): UpdateStatus {
    const updater = this.proceed({ action: 'download' });
    if (!updater) return this.status();
    this.set({ phase: 'downloading', message: null, progress: null });
    updater
      .download((progress) => {
        // Progress that trails a failure must not bring the bar back.
        if (this.state.phase === 'downloading') this.set({ progress });
      })
      .then(() => this.set({ phase: 'downloaded', progress: null }))
      .catch((error: unknown) => this.set({ phase: 'failed', message: this.failure(error), progress: null }));
    return this.status();
  }

  /** Quits Hearth and installs the download; answers at once, with phase `installing`. */
  install(): UpdateStatus {
    const updater = this.proceed({ action: 'install' });
    if (!updater) return this.status();
    this.set({ phase: 'installing', message: null });
    updater.install((error) => this.set({ phase: 'failed', message: this.failure(error) }));
    return this.status();
  }

  /** Stores Settings → Updates (the startup check's consent) and announces the status that follows. */
  configure(changes: Partial<UpdateSettings>): UpdateStatus {
    this.options.settings.write(changes);
    const status = this.status();
    this.options.onChange(status);
    return status;
  }

  /** The check at startup, when the user opted into it; its outcome goes to the status, never to the caller. */
  startupCheck(): void {
    this.check('startup').catch((error: unknown) => console.error('[hearth] the update check at startup failed:', error));
  }

  /** The updater when the policy lets `request` go ahead; null when there is nothing to do; throws its refusal. */
  private proceed(request: UpdateRequest): DesktopUpdater | null {
    const { phase, available } = this.state;
    const step = nextUpdateStep(request, { runtime: this.runtime, offline: this.options.offline(), checkAtStartup: this.options.settings.read().checkAtStartup, phase, available });
    if (step.kind === 'refuse') throw new ApiError(step.code, step.message);
    return step.kind === 'proceed' ? this.options.updater : null;
  }

  private failure(error: unknown): string {
    // The request hooks cancel what is asked while offline: say so, not "net::ERR_BLOCKED_BY_CLIENT".
    if (this.options.offline()) return 'Hearth went offline, so the update stopped. Switch offline mode off in Settings → Network to go on.';
    return failureText(error);
  }

  private set(changes: Partial<UpdateState>): void {
    this.state = { ...this.state, ...changes };
    this.options.onChange(this.status());
  }
}
