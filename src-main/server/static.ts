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

/** Serves the built renderer; unknown paths get index.html (the app routes itself), never a file outside the folder. */
export async function serveStatic(root: string | null, urlPath: string, response: ServerResponse): Promise<void> {
  response.setHeader('Content-Security-Policy', contentSecurityPolicy());
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  const file = root ? await resolveFile(root, urlPath) : null;
  if (!file) {
    response.writeHead(root ? 404 : 503, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(root ? '<!doctype html><title>Not found</title><p>Not found.</p>' : rendererMissingPage);
    return;
  }
  const isHtml = file.endsWith('.html');
  response.writeHead(200, {
    'Content-Type': mimeTypes[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': isHtml ? 'no-cache' : 'public, max-age=31536000, immutable'
  });
  createReadStream(file).pipe(response);
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
