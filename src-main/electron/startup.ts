/**
 * How the launcher (plain Node) and the desktop app (Electron) agree on whether the window opened, and
 * how a failed start is put into words. Free of Electron so both sides and the tests can use it.
 */
import { constants } from 'node:os';

/**
 * Printed on stdout by the desktop app (main.ts) once its first window is on screen: until then an
 * exit is a failed start. Also printed when another Hearth already has the window open.
 */
export const desktopOpenLine = '[hearth] desktop window open';
export const desktopAlreadyOpenLine = '[hearth] Hearth is already open on this data folder: its window was brought to the front';

/** Why the desktop window cannot open on this machine, or null when it can. */
export function missingDisplayReason(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | null {
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)';
  return null;
}

/** How an Electron process ended before its window opened. `stderrTail` holds its last lines of stderr, oldest first. */
export interface FailedStart {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: readonly string[];
}

/** Known causes, recognised in Electron's stderr, with what the user can do about each. */
const knownCauses: Array<{ pattern: RegExp; advice: string }> = [
  {
    pattern: /SUID sandbox helper binary|setuid_sandbox|No usable sandbox|unprivileged user namespaces?/i,
    advice:
      "Chromium's sandbox cannot start: this system (Ubuntu 23.10+ with AppArmor, or a container) forbids the user namespaces an unpackaged Electron needs. The .deb package sets this up; running from source, see README → Develop"
  },
  { pattern: /error while loading shared libraries: (\S+)/i, advice: 'a system library Electron needs is missing' },
  { pattern: /Missing X server or \$DISPLAY|cannot open display|Failed to connect to Wayland display/i, advice: 'no display could be opened' }
];

/**
 * The one-line reason an Electron start failed: how it ended (exit code or signal), the known cause
 * with advice where stderr shows one, and the last line Electron wrote to stderr.
 */
export function describeFailedStart(failure: FailedStart): string {
  const ending = failure.signal
    ? `Electron was killed by ${failure.signal}${signalNumber(failure.signal)}`
    : `Electron exited with code ${failure.code ?? 'unknown'}`;
  const stderr = failure.stderrTail.join('\n');
  const cause = knownCauses.find(({ pattern }) => pattern.test(stderr));
  const lastLine = [...failure.stderrTail].reverse().find((line) => line.trim() !== '');
  const parts = [ending + ' before its window opened'];
  if (cause) parts.push(cause.advice);
  if (lastLine) parts.push(`Electron said: "${lastLine.trim()}"`);
  return parts.join('; ');
}

function signalNumber(signal: NodeJS.Signals): string {
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? '' : ` (signal ${number})`;
}
