import { pathToFileURL } from 'node:url';

/** Decides whether a URL belongs to the app's own renderer. Shared by navigation, IPC and permission guards. */
export type AppUrlPolicy = (url: string) => boolean;

/** The dev server's URL while developing (electron-vite sets it), otherwise the built index.html as a file: URL. */
export function rendererUrl(options: { devServerUrl?: string; rendererIndexFile: string }): string {
  return options.devServerUrl || pathToFileURL(options.rendererIndexFile).href;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * A file: app matches only its own index.html (any query or hash): every file: URL shares one
 * opaque origin, so "same origin" would admit the whole disk. A served app matches its origin.
 */
export function createAppUrlPolicy(appUrl: string): AppUrlPolicy {
  const app = parse(appUrl);
  if (!app) throw new Error(`Not a valid app URL: ${appUrl}`);
  return (url) => {
    const candidate = parse(url);
    if (!candidate || candidate.protocol !== app.protocol) return false;
    if (app.protocol === 'file:') return candidate.host === app.host && candidate.pathname === app.pathname;
    return candidate.origin === app.origin;
  };
}
