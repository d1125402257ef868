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
}

export interface FileServer {
  url: string;
  /** Bytes of file bodies sent so far, over all requests. */
  bytesSent(): number;
  requests: { path: string; range: string | null }[];
  faults: Faults;
  close(): Promise<void>;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * A local stand-in for the Hugging Face Hub: `GET /api/models/{owner}/{repo}/tree/main` lists the
 * files with their LFS SHA-256, and `/{owner}/{repo}/resolve/main/{file}` serves them with Range
 * support and `x-linked-etag`; plain paths (`/files/{name}`) serve them too. The search, the
 * repositories' cards and gating are `answerHubApi`'s, from `cards`. Loopback only.
 */
export async function startFileServer(files: Record<string, Buffer>, faults: Faults = {}, cards: Record<string, HubRepoCard> = {}): Promise<FileServer> {
  let sent = 0;
  const requests: FileServer['requests'] = [];
  const openResponses = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    requests.push({ path, range: request.headers.range ?? null });
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
    const headers: Record<string, string | number> = { 'x-linked-etag': `"${faults.publishedSha256 ?? sha256(data)}"`, 'Accept-Ranges': faults.noRange ? 'none' : 'bytes' };
    // "bytes=N-" (a resumed download) or "bytes=N-M" (a header read: node-llama-cpp asks for more than the file has).
    const range = faults.noRange ? null : /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
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
        if (faults.dropAfterBytes !== undefined && offset >= faults.dropAfterBytes) {
          faults.dropAfterBytes = undefined;
          response.destroy();
          return;
        }
        if (faults.stallAfterBytes !== undefined && offset >= faults.stallAfterBytes) {
          faults.stallAfterBytes = undefined;
          return;
        }
        const piece = body.subarray(offset, offset + chunk);
        offset += piece.length;
        sent += piece.length;
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of openResponses) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
