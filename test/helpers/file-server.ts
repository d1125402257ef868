import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerHubApi, type HubRepoCard } from './hub-api';

/** Faults the server injects, each once unless said otherwise: the network as it really behaves. */
export interface Faults {
  /** Drop the connection after this many bytes of the body. */
  dropAfterBytes?: number;
  /** Stop sending (keep the connection open) after this many bytes. */
  stallAfterBytes?: number;
  /** Answer HTTP 500 this many times first. */
  errorsFirst?: number;
  /** Ignore Range headers: always send the whole file with 200 (every request). */
  noRange?: boolean;
  /** Declare this Content-Length instead of the real one (once). */
  contentLength?: number;
  /** Publish this SHA-256 instead of the file's own (every request and the listing). */
  publishedSha256?: string;
  /**
   * Send file bodies at about this many bytes per second, in small timed chunks (every request that
   * starts while it is set; change it between requests to slow down only what follows).
   */
  bytesPerSecond?: number;
  /** Drop the connection once the server has sent this many body bytes over all requests (once): lands inside any file of a set. */
  dropAtSentBytes?: number;
  /** Stop sending (keep the connection open) after this many bytes of every request's body, while it is set. */
  stallEveryRequestAfterBytes?: number;
  /** Name no version: no ETag, Last-Modified or x-linked-etag (every request). */
  noValidators?: boolean;
  /** Called right after a drop (dropAfterBytes, dropAtSentBytes): e.g. re-publish a file before the client comes back. */
  afterDrop?: () => void;
}

/** One request as the server saw it. */
export interface ServedRequest {
  method: string;
  path: string;
  range: string | null;
  ifRange: string | null;
  authorization: string | null;
  /** File body bytes sent in answer, so far. */
  bytes: number;
}

export interface FileServer {
  url: string;
  /** Bytes of file bodies sent so far, over all requests. */
  bytesSent(): number;
  requests: ServedRequest[];
  faults: Faults;
  /** A new version of a file under the same name, as a repository re-publishing it: new bytes, ETag, SHA-256 and Last-Modified. */
  republish(name: string, data: Buffer): void;
  /** Answers requests for `from` (a path) with a redirect to `to` (a path or URL, query string allowed). */
  redirect(from: string, to: string, status?: number): void;
  close(): Promise<void>;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * A local stand-in for the Hugging Face Hub: `GET /api/models/{owner}/{repo}/tree/main` lists the
 * files with their LFS SHA-256, and `/{owner}/{repo}/resolve/main/{file}` serves them with Range
 * support, a strong `ETag` and `Last-Modified` per version (honouring `If-Range`) and `x-linked-etag`;
 * plain paths (`/files/{name}`) serve them too. The search, the repositories' cards and gating are
 * `answerHubApi`'s, from `cards`. Loopback only.
 */
export async function startFileServer(files: Record<string, Buffer>, faults: Faults = {}, cards: Record<string, HubRepoCard> = {}): Promise<FileServer> {
  let sent = 0;
  const requests: FileServer['requests'] = [];
  const openResponses = new Set<ServerResponse>();
  const redirects = new Map<string, { to: string; status: number }>();
  // Each version of a file gets its own time, a second apart, as Last-Modified has a one-second resolution.
  const published = new Map<string, Date>();
  let clock = Date.UTC(2025, 0, 1);
  const versionOf = (name: string) => published.get(name) ?? published.set(name, new Date((clock += 1000))).get(name)!;

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const served: ServedRequest = { method: request.method ?? 'GET', path, range: request.headers.range ?? null, ifRange: (request.headers['if-range'] as string | undefined) ?? null, authorization: request.headers.authorization ?? null, bytes: 0 };
    requests.push(served);
    const redirect = redirects.get(path);
    if (redirect) {
      response.writeHead(redirect.status, { Location: redirect.to }).end();
      return;
    }
    if (answerHubApi(request, response, files, cards)) return;
    const listing = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/main$/.exec(path);
    if (listing) {
      const prefix = `${listing[1]}/`;
      const entries = Object.entries(files)
        .filter(([name]) => name.startsWith(prefix))
        .map(([name, data]) => ({ type: 'file', path: name.slice(prefix.length), size: data.length, lfs: { oid: faults.publishedSha256 ?? sha256(data), size: data.length } }));
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(entries));
      return;
    }
    const name = path.replace(/^\/([^/]+\/[^/]+)\/resolve\/main\//, '$1/').replace(/^\/files\//, 'files/');
    const data = files[name];
    if (!data) {
      response.writeHead(404).end('not found');
      return;
    }
    if (faults.errorsFirst && faults.errorsFirst > 0) {
      faults.errorsFirst--;
      response.writeHead(500).end('try later');
      return;
    }
    const etag = `"${sha256(data)}"`;
    const lastModified = versionOf(name).toUTCString();
    const versions: Record<string, string> = faults.noValidators ? {} : { 'x-linked-etag': `"${faults.publishedSha256 ?? sha256(data)}"`, ETag: etag, 'Last-Modified': lastModified };
    const headers: Record<string, string | number> = { ...versions, 'Accept-Ranges': faults.noRange ? 'none' : 'bytes' };
    // If-Range names the version the client holds: any other version comes whole (200), never as a range of itself.
    const sameVersion = served.ifRange === null || served.ifRange === etag || served.ifRange === lastModified;
    // "bytes=N-" (a resumed download) or "bytes=N-M" (a segment, or a header read that may ask for more than the file has).
    const range = faults.noRange || !sameVersion ? null : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start > data.length) {
      response.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
      return;
    }
    const end = range && range[2] && Number(range[2]) >= start ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
    const body = data.subarray(start, end + 1);
    headers['Content-Length'] = faults.contentLength ?? body.length;
    faults.contentLength = undefined;
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${data.length}`;
    response.writeHead(range ? 206 : 200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    openResponses.add(response);
    response.on('close', () => openResponses.delete(response));
    let offset = 0;
    const throttle = faults.bytesPerSecond;
    // Throttled: a twentieth of the rate every 50 ms.
    const tickMs = 50;
    const chunk = throttle ? Math.max(1, Math.round((throttle * tickMs) / 1000)) : 64 * 1024;
    const pump = () => {
      while (offset < body.length) {
        if (response.destroyed) return;
        const dropHere = faults.dropAfterBytes !== undefined && offset >= faults.dropAfterBytes;
        if (dropHere || (faults.dropAtSentBytes !== undefined && sent >= faults.dropAtSentBytes)) {
          if (dropHere) faults.dropAfterBytes = undefined;
          else faults.dropAtSentBytes = undefined;
          response.destroy();
          faults.afterDrop?.();
          return;
        }
        if (faults.stallAfterBytes !== undefined && offset >= faults.stallAfterBytes) {
          faults.stallAfterBytes = undefined;
          return;
        }
        if (faults.stallEveryRequestAfterBytes !== undefined && offset >= faults.stallEveryRequestAfterBytes) return;
        // Up to a drop point, so that it falls exactly where the test put it.
        const limit = faults.dropAtSentBytes !== undefined ? Math.max(1, faults.dropAtSentBytes - sent) : chunk;
        const piece = body.subarray(offset, offset + Math.min(chunk, limit, (faults.stallEveryRequestAfterBytes ?? Infinity) - offset));
        offset += piece.length;
        sent += piece.length;
        served.bytes += piece.length;
        const flowing = response.write(piece);
        if (throttle) {
          if (offset < body.length) setTimeout(pump, tickMs);
          else response.end();
          return;
        }
        if (!flowing) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bytesSent: () => sent,
    requests,
    faults,
    republish(name, data) {
      files[name] = data;
      published.set(name, new Date((clock += 1000)));
    },
    redirect: (from, to, status = 302) => void redirects.set(from, { to, status }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of openResponses) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
