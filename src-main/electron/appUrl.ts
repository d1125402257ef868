import { appOrigin } from './appProtocol';

/** Decides whether a URL belongs to the app's own renderer. Shared by navigation, IPC and permission guards. */
export type AppUrlPolicy = (url: string) => boolean;

/** The dev server's URL while developing (electron-vite sets it), otherwise the app's own `hearth://app/`. */
export function rendererUrl(options: { devServerUrl?: string }): string {
  return options.devServerUrl || `${appOrigin}/`;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The app is one scheme and host (with port): `hearth://app` in the built app, the dev server's origin
 * while developing. Compared by scheme and host rather than `URL.origin`, which WHATWG URL leaves
 * "null" for schemes it does not know. No file: URL is ever the app.
 */
export function createAppUrlPolicy(appUrl: string): AppUrlPolicy {
  const app = parse(appUrl);
  if (!app || app.protocol === 'file:' || !app.host) throw new Error(`Not a valid app URL: ${appUrl}`);
  return (url) => {
    const candidate = parse(url);
    return candidate !== null && candidate.protocol === app.protocol && candidate.host === app.host;
  };
}
