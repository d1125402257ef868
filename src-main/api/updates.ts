/**
 * Updating the installed desktop app: where it stands, what a check found, a download's progress. Pure
 * (no Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';

/**
 * - unsupported: this Hearth cannot update itself (browser mode, or the desktop app run from source); `message` says why
 * - idle: no check yet since Hearth started
 * - checking, downloading, installing: that step is under way
 * - upToDate: the last check found nothing newer
 * - available: a newer version was found and waits for the user's Download
 * - downloaded: it is ready, and waits for the user's Restart to install
 * - failed: the last step failed (`message`); `available` is kept when a download failed, so it can be retried
 */
export const updatePhases = ['unsupported', 'idle', 'checking', 'upToDate', 'available', 'downloading', 'downloaded', 'installing', 'failed'] as const;
export type UpdatePhase = (typeof updatePhases)[number];

/** A newer release found on the feed. */
export interface AvailableUpdate {
  /** Semantic version without a leading "v", e.g. "0.2.0". */
  version: string;
  releaseName: string | null;
  /** ISO 8601, as the release feed gives it. */
  releaseDate: string | null;
  /** The release's page on GitHub, where its notes are. */
  releaseNotesUrl: string;
}

/** A download's figures, about once a second. */
export interface UpdateProgress {
  /** 0–100. */
  percent: number;
  transferredBytes: number;
  totalBytes: number;
  bytesPerSecond: number;
}

/** Settings → Updates. */
export const updateSettingsSchema = z.strictObject({
  /** The user's consent to one check (never a download) each time Hearth starts; off by default. */
  checkAtStartup: z.boolean()
});
export type UpdateSettings = z.infer<typeof updateSettingsSchema>;
export const defaultUpdateSettings: UpdateSettings = { checkAtStartup: false };

/** Where updating stands; every `updates.*` method answers with it and `updates.changed` carries it. */
export interface UpdateStatus {
  /** The version running, e.g. "0.1.0". */
  currentVersion: string;
  phase: UpdatePhase;
  /** Why updates do not apply here (unsupported) or what went wrong (failed); null otherwise. */
  message: string | null;
  /** The newer version found by the last check; null when there is none. */
  available: AvailableUpdate | null;
  /** While downloading; null otherwise. */
  progress: UpdateProgress | null;
  /** When the release feed last answered a check, in milliseconds since the epoch; null before one did. */
  checkedAt: number | null;
  settings: UpdateSettings;
}
