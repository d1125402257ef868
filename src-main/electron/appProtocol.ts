/**
 * The desktop window's renderer is served from `hearth://app/`, a standard and secure scheme, instead
 * of `file://`: it gets a real origin of its own (so the origin checks in appUrl.ts mean something),
 * every answer carries the same CSP as browser mode (a response header Chromium may not apply to
 * file: pages), and the page is granted nothing on the user's files.
 */
import { readFile } from 'node:fs/promises';
import { staticAnswer } from '../server';

export const appScheme = 'hearth';
export const appHost = 'app';
/** The URL the main window loads in the built app. */
export const appOrigin = `${appScheme}://${appHost}`;

/**
 * Passed to `protocol.registerSchemesAsPrivileged` before the app is ready: standard (relative URLs and
 * an origin), secure (a secure context, like https), fetch and CORS for the renderer's module scripts,
 * code cache for start-up speed. No service workers, no bypassing the CSP.
 */
export const appSchemePrivileges = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } as const;

/**
 * The handler given to `protocol.handle(appScheme, …)`: answers GET requests for `hearth://app/<path>`
 * from the built renderer folder exactly as browser mode's server does (staticAnswer), CSP included.
 * Another host, another method or a path outside the folder is refused.
 */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== appHost || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    }
    const answer = await staticAnswer(rendererDir, url.pathname);
    const body = answer.file ? await readFile(answer.file) : answer.body;
    return new Response(request.method === 'HEAD' ? null : body, { status: answer.status, headers: answer.headers });
  };
}
