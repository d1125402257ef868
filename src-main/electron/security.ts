/**
 * Guards every window and session: the Content-Security-Policy (../server/csp.ts), no navigation away from
 * the app, no new windows or webviews, no permissions beyond writing to the clipboard.
 * Each guard takes the small structural part of Electron it touches, so tests pass fakes.
 */
import type { AppUrlPolicy } from './appUrl';

type Preventable = { preventDefault(): void };
type HeadersMap = Record<string, string | string[]>;

export interface GuardedWebContents {
  on(event: 'will-navigate', listener: (event: Preventable & { url: string }) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

export interface GuardedSession {
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: HeadersMap },
        callback: (response: { responseHeaders?: HeadersMap }) => void
      ) => void
    ): void;
  };
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void
  ): void;
  setPermissionCheckHandler(handler: (contents: { getURL(): string } | null, permission: string) => boolean): void;
}

export function isExternalWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Applied to every webContents the app creates, including any a bug or an exploit might create. */
export function guardWebContents(contents: GuardedWebContents, isAppUrl: AppUrlPolicy, shell: ShellLike): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links in chats open in the user's browser; anything else (file:, javascript:, custom schemes) goes nowhere.
    if (isExternalWebUrl(url)) {
      shell.openExternal(url).catch((error: unknown) => console.warn(`[hearth] could not open ${url}:`, error));
    }
    return { action: 'deny' };
  });
}

/**
 * Copy buttons call navigator.clipboard.writeText, which Chromium gates behind this permission
 * (a check, then a request); it only ever writes what the page already shows. Everything else,
 * clipboard reads included, is denied.
 */
const grantedToApp = new Set(['clipboard-sanitized-write']);

export function isPermissionGranted(permission: string, requestingUrl: string | undefined, isAppUrl: AppUrlPolicy): boolean {
  return grantedToApp.has(permission) && requestingUrl !== undefined && isAppUrl(requestingUrl);
}

/** Sets the CSP header on every response and answers every permission request and check. */
export function guardSession(session: GuardedSession, isAppUrl: AppUrlPolicy, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy')
    );
    callback({ responseHeaders: { ...responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl, isAppUrl));
  });
  session.setPermissionCheckHandler((contents, permission) => isPermissionGranted(permission, contents?.getURL(), isAppUrl));
}
