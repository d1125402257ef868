import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { contentSecurityPolicy } from './csp';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8'
};

const rendererMissingPage = `<!doctype html><meta charset="utf-8"><title>Hearth</title>
<p>The Hearth interface has not been built yet. Run <code>npm run build</code>, then start the server again.</p>`;

/**
 * One answer for a path under the built renderer, for either way it is served (browser mode's HTTP
 * server, the desktop window's `hearth://` protocol): the status, the headers (the one CSP among them)
 * and either the file to send or a short HTML body. Unknown paths get index.html (the app routes
 * itself); nothing outside `root` is ever answered. `root` null: the renderer is not built.
 */
export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  file: string | null;
  body: string | null;
}

export async function staticAnswer(root: string | null, urlPath: string): Promise<StaticAnswer> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer'
  };
  const file = root ? await resolveFile(root, urlPath) : null;
  if (!root || !file) {
    const body = root ? '<!doctype html><title>Not found</title><p>Not found.</p>' : rendererMissingPage;
    return { status: root ? 404 : 503, headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' }, file: null, body };
  }
  headers['Content-Type'] = mimeTypes[extname(file)] ?? 'application/octet-stream';
  // Only the bundler's output under assets/ has the content's hash in its name; the page and the files
  // copied as they are (theme.js) keep their names from one version to the next, so they are revalidated.
  headers['Cache-Control'] = isHashedAsset(root, file) ? 'public, max-age=31536000, immutable' : 'no-cache';
  return { status: 200, headers, file, body: null };
}

/** Browser mode: writes the answer for `urlPath` to an HTTP response. */
export async function serveStatic(root: string | null, urlPath: string, response: ServerResponse): Promise<void> {
  const answer = await staticAnswer(root, urlPath);
  response.writeHead(answer.status, answer.headers);
  if (answer.file) createReadStream(answer.file).pipe(response);
  else response.end(answer.body);
}

function isHashedAsset(root: string, file: string): boolean {
  return file.startsWith(join(resolve(root), 'assets') + sep);
}

async function resolveFile(root: string, urlPath: string): Promise<string | null> {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  const candidate = resolve(base, `.${normalize(`/${decoded}`)}`);
  if (candidate !== base && !candidate.startsWith(base + sep)) return null;
  // Paths without an extension are the app's own routes; a missing asset stays a 404.
  const candidates = extname(candidate) ? [candidate] : [candidate, join(base, 'index.html')];
  for (const path of candidates) {
    const info = await stat(path).catch(() => null);
    if (info?.isFile()) return path;
    if (info?.isDirectory()) {
      const index = join(path, 'index.html');
      if ((await stat(index).catch(() => null))?.isFile()) return index;
    }
  }
  return null;
}
