import type { UpdateProgress } from '../api';

/**
 * What only the desktop app can do, handed to the services by the Electron shell; browser mode and
 * the CLI run without it, and the methods that need it say so.
 */
import type { SecretStorage } from '../api';

/**
 * API keys and tokens by name. `storage` says whether they survive a restart (the OS keychain) or
 * live in memory for this session only; `set(name, null)` forgets one. Never throws.
 */
export interface SecretStore {
  readonly storage: SecretStorage;
  get(name: string): string | null;
  set(name: string, value: string | null): void;
}

/** What a check found on the release feed: its latest release, newer or not. */
export interface ReleaseInfo {
  /** As the feed gives it, e.g. "0.2.0". */
  version: string;
  releaseName: string | null;
  /** ISO 8601. */
  releaseDate: string | null;
  /** Whether the updater would install it on this machine (it also weighs staged rollouts and the release's minimum OS version). */
  installable: boolean;
}

/** The installed app's own updater (electron-updater on GitHub releases), as the services drive it. */
export interface DesktopUpdater {
  /** False for the desktop app run from source (`npm start`): only an installed build updates itself. */
  readonly packaged: boolean;
  /** Reads the feed's latest release; rejects when the feed cannot be read (a failed or refused request, no release). */
  latestRelease(): Promise<ReleaseInfo>;
  /** Downloads the release the last check found; resolves once it is ready to install. */
  download(onProgress: (progress: UpdateProgress) => void): Promise<void>;
  /** Quits Hearth and runs the downloaded release's installer; a failure to start it arrives in `onFailure`, not as a throw. */
  install(onFailure: (error: unknown) => void): void;
}

/**
 * The one door to the network (src-main/network) for requests a library makes itself: `permit` logs a
 * request and throws ApiError FORBIDDEN while Hearth is offline (the caller then cancels it); what it
 * returns records the answer.
 */
export interface OutboundGate {
  permit(url: string, method: string): (result: { status: number } | { error: string }) => void;
}

export interface DesktopCapabilities {
  secrets: SecretStore;
  /** Shows a file in the system file manager. */
  revealInFolder(path: string): void;
  /** Makes the updater once the network door exists, so every request it makes goes through `gate`; absent, updates are not offered. */
  updater?: (gate: OutboundGate) => DesktopUpdater;
}

export const hubTokenSecret = 'huggingface-token';

/** Secrets kept in memory until the process ends, with `note` saying why to the user. */
export function memorySecretStore(note: string): SecretStore {
  const values = new Map<string, string>();
  return {
    storage: { kind: 'memory', note },
    get: (name) => values.get(name) ?? null,
    set: (name, value) => {
      if (value === null) values.delete(name);
      else values.set(name, value);
    }
  };
}

export const browserModeSecretsNote = 'Browser mode keeps API keys in memory until the Hearth server stops; the Hugging Face token comes from HF_TOKEN in its environment.';
