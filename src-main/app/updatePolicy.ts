/**
 * When Hearth may check for, download and install an update, and what a check's answer means. Pure: no
 * Electron, no network, no clock, so every rule is unit-tested; the updater itself (electron-updater)
 * is in the Electron shell and the state in ./updates.ts.
 */
import { errorMessageOf, type AvailableUpdate, type ErrorCode, type UpdatePhase } from '../api';
import type { ReleaseInfo } from './desktop';

/**
 * The release feed: electron-updater's GitHub provider, reading the releases that the release workflow
 * (.github/workflows/package.yml) publishes. `hearth-app/hearth` is a placeholder for the project's real
 * repository: change it here and in that workflow's publish options together (a unit test keeps them equal).
 */
export const updateFeed = { provider: 'github', owner: 'hearth-app', repo: 'hearth' } as const;

/** The release's page on GitHub (electron-builder tags a release `v<version>`). */
export function releaseNotesUrl(version: string): string {
  return `https://github.com/${updateFeed.owner}/${updateFeed.repo}/releases/tag/v${version}`;
}

/** Where Hearth runs: without an updater (browser mode, the CLI), the desktop app run from source (`npm start`), or an installed build. */
export type UpdateRuntime = 'none' | 'source' | 'installed';

/** Why updates do not apply here; null for an installed build, which updates itself. */
export function unsupportedMessage(runtime: UpdateRuntime): string | null {
  if (runtime === 'none') return 'Updates are handled by the desktop app, which checks Hearth’s GitHub releases. Browser mode runs from a source checkout: update it with git pull, then npm ci.';
  if (runtime === 'source') return 'Updates apply to the installed app only. This one runs from source (npm start): update it with git pull, then npm ci.';
  return null;
}

/** Who asked for a check: the user's click, or the check at startup that the user opted into. */
export type CheckTrigger = 'user' | 'startup';

/** What is asked: a check (by whom), or the download or the install, which only the user's click asks for. */
export type UpdateRequest = { action: 'check'; trigger: CheckTrigger } | { action: 'download' } | { action: 'install' };

/** Everything a decision depends on, read fresh for each request. */
export interface UpdateSituation {
  runtime: UpdateRuntime;
  /** Settings → Network's offline switch. */
  offline: boolean;
  /** The user's consent to a check at startup (off by default). */
  checkAtStartup: boolean;
  phase: UpdatePhase;
  /** What the last check found, kept through a failed download. */
  available: AvailableUpdate | null;
}

/**
 * - proceed: do it
 * - stay: do nothing and answer with the status as it is (that work is under way, it does not apply here, or was not asked for)
 * - refuse: answer with this typed error, which says how to get past it
 */
export type UpdateStep = { kind: 'proceed' } | { kind: 'stay' } | { kind: 'refuse'; code: ErrorCode; message: string };

const busy: readonly UpdatePhase[] = ['checking', 'downloading', 'downloaded', 'installing'];

function offlineRefusal(what: string): UpdateStep {
  return { kind: 'refuse', code: 'FORBIDDEN', message: `Hearth is offline, so it did not ${what}. Switch offline mode off in Settings → Network to allow it.` };
}

/**
 * The next step for a request, in the situation. Nothing is ever installed or downloaded without the
 * user's click (only a check runs at startup, and only with consent), and nothing reaches the network
 * while Hearth is offline.
 */
export function nextUpdateStep(request: UpdateRequest, situation: UpdateSituation): UpdateStep {
  const { runtime, offline, checkAtStartup, phase, available } = situation;
  const unsupported = unsupportedMessage(runtime);
  if (request.action === 'check') {
    if (unsupported !== null) return { kind: 'stay' };
    if (request.trigger === 'startup' && !checkAtStartup) return { kind: 'stay' };
    if (busy.includes(phase)) return { kind: 'stay' };
    // Refusing a check nobody clicked would only leave a blocked line in the log.
    if (offline) return request.trigger === 'user' ? offlineRefusal('check for updates') : { kind: 'stay' };
    return { kind: 'proceed' };
  }
  if (unsupported !== null) return { kind: 'refuse', code: 'FORBIDDEN', message: unsupported };
  if (request.action === 'download') {
    if (busy.includes(phase)) return { kind: 'stay' };
    if (available === null || (phase !== 'available' && phase !== 'failed')) return { kind: 'refuse', code: 'NOT_FOUND', message: 'There is no update to download: check for updates first.' };
    if (offline) return offlineRefusal(`download version ${available.version}`);
    return { kind: 'proceed' };
  }
  // Installing reads the download from disk: offline does not matter.
  if (phase === 'installing') return { kind: 'stay' };
  if (phase !== 'downloaded') return { kind: 'refuse', code: 'NOT_FOUND', message: 'No update is downloaded yet: download it first.' };
  return { kind: 'proceed' };
}

/** A version's parts (SemVer 2.0.0); build metadata is dropped, as precedence ignores it. */
interface SemVer {
  core: [number, number, number];
  prerelease: string[];
}

const numeric = '0|[1-9]\\d*';
const prereleaseIdentifier = `(?:${numeric}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const semverPattern = new RegExp(`^v?(${numeric})\\.(${numeric})\\.(${numeric})(?:-(${prereleaseIdentifier}(?:\\.${prereleaseIdentifier})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`);

/** A version such as "1.2.3", "v1.2.3-beta.2" or "1.2.3+build.5"; null for anything else. */
export function parseVersion(text: string): SemVer | null {
  const match = semverPattern.exec(text.trim());
  if (!match) return null;
  return { core: [Number(match[1]), Number(match[2]), Number(match[3])], prerelease: match[4] ? match[4].split('.') : [] };
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b));
  // Numeric identifiers rank below alphanumeric ones; alphanumeric ones compare in ASCII order.
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * SemVer 2.0.0 precedence (§11): negative when `a` is older than `b`, 0 when equal, positive when newer;
 * null when either is not a version, so a malformed feed never counts as newer.
 */
export function compareVersions(a: string, b: string): number | null {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) return null;
  for (let index = 0; index < 3; index++) {
    if (left.core[index] !== right.core[index]) return Math.sign(left.core[index] - right.core[index]);
  }
  // A pre-release ranks below its release: 1.0.0-rc.1 < 1.0.0.
  if (left.prerelease.length === 0 || right.prerelease.length === 0) return Math.sign(right.prerelease.length - left.prerelease.length);
  for (let index = 0; index < Math.min(left.prerelease.length, right.prerelease.length); index++) {
    const order = compareIdentifiers(left.prerelease[index], right.prerelease[index]);
    if (order !== 0) return order;
  }
  return Math.sign(left.prerelease.length - right.prerelease.length);
}

/** What a check's answer means: a newer version to offer, or none (an older, equal or malformed one, or one not for this machine). */
export function checkOutcome(currentVersion: string, release: ReleaseInfo): { phase: 'available'; available: AvailableUpdate } | { phase: 'upToDate' } {
  const order = compareVersions(release.version, currentVersion);
  if (!release.installable || order === null || order <= 0) return { phase: 'upToDate' };
  const version = release.version.replace(/^v/, '');
  return { phase: 'available', available: { version, releaseName: release.releaseName, releaseDate: release.releaseDate, releaseNotesUrl: releaseNotesUrl(version) } };
}

/** electron-updater's error codes that have a plainer sentence. */
const updaterErrors: Record<string, string> = {
  ERR_UPDATER_LATEST_VERSION_NOT_FOUND: `No published release was found at github.com/${updateFeed.owner}/${updateFeed.repo}.`,
  ERR_UPDATER_NO_PUBLISHED_VERSIONS: `No published release was found at github.com/${updateFeed.owner}/${updateFeed.repo}.`,
  ERR_UPDATER_CHANNEL_FILE_NOT_FOUND: 'The latest release has no update for this platform.'
};

/** Longest failure text shown: electron-updater's messages can carry whole response bodies and headers. */
export const failureTextLimit = 300;

/** A failure in one line a person can read: a known code's sentence, else the message's first line, cut to `failureTextLimit`. */
export function failureText(error: unknown): string {
  const { code, path } = typeof error === 'object' && error !== null ? (error as { code?: unknown; path?: unknown }) : {};
  if (typeof code === 'string' && code in updaterErrors) return updaterErrors[code];
  // electron-updater reads the download cache's name from the file electron-builder writes for a publish setting.
  if (code === 'ENOENT' && typeof path === 'string' && path.endsWith('app-update.yml')) return 'This build was packaged without a publish setting (no app-update.yml), so it cannot download updates.';
  const firstLine = (errorMessageOf(error)).split('\n')[0].trim() || 'The update failed.';
  return firstLine.length > failureTextLimit ? `${firstLine.slice(0, failureTextLimit - 1)}…` : firstLine;
}
