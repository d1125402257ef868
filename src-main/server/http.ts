import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, httpStatusOf, type CallResult, type EventBus, type Router } from '../api';
import { serveStatic } from './static';

export interface HttpServerOptions {
  router: Router;
  events: EventBus;
  /** The built renderer folder; null serves the API alone. */
  staticDir: string | null;
  host?: string;
  port?: number;
  /** Required when binding anything but loopback. */
  apiKey?: string;
  maxBodyBytes?: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export const defaultMaxBodyBytes = 64 * 1024 * 1024;
const keyCookie = 'hearth_key';
const heartbeatMs = 15_000;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(text);
}

function sendError(response: ServerResponse, error: ApiError): void {
  sendJson(response, httpStatusOf[error.code], { ok: false, error: error.toJSON() } satisfies CallResult<never>);
}

async function readJsonBody(request: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new ApiError('VALIDATION', `Request body is larger than the ${limit}-byte limit.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError('VALIDATION', `Request body is larger than the ${limit}-byte limit.`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError('VALIDATION', 'Request body is not valid JSON.');
  }
}

/**
 * Browser mode's transport: `POST /api/<method>` with a JSON body for every method of the contract, and
 * `GET /api/events` as Server-Sent Events. Requests from other origins are refused (no CORS), and
 * JSON is required so a cross-site form cannot call the API.
 */
export function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.apiKey) {
    return Promise.reject(
      new Error(`Refusing to serve on ${host} without an API key: set HEARTH_API_KEY (or --api-key) to expose Hearth beyond this machine.`)
    );
  }
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const sseClients = new Set<ServerResponse>();

  const authorized = (request: IncomingMessage): boolean => {
    if (!options.apiKey) return true;
    const bearer = request.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const cookie = request.headers.cookie?.split(/;\s*/).find((part) => part.startsWith(`${keyCookie}=`))?.slice(keyCookie.length + 1);
    return bearer === options.apiKey || cookie === options.apiKey;
  };

  const sameOrigin = (request: IncomingMessage): boolean => {
    const origin = request.headers.origin;
    if (!origin) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  };

  // A DNS-rebinding page reaches 127.0.0.1 under its own host name: on loopback only loopback names are served.
  const knownHost = (request: IncomingMessage): boolean => {
    if (!isLoopbackHost(host)) return true;
    const hostname = (request.headers.host ?? '').replace(/:\d+$/, '');
    return isLoopbackHost(hostname);
  };

  const handleApi = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (!authorized(request)) return sendError(response, new ApiError('FORBIDDEN', 'Missing or wrong API key.'));
    if (!sameOrigin(request)) return sendError(response, new ApiError('FORBIDDEN', 'Cross-origin requests are not allowed.'));
    if (path === '/api/events') return openEventStream(request, response);
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      return sendJson(response, 405, { ok: false, error: { code: 'VALIDATION', message: 'API methods are called with POST.' } });
    }
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return sendError(response, new ApiError('VALIDATION', 'API requests must have Content-Type: application/json.'));
    }
    const input = await readJsonBody(request, limit);
    const result = await options.router.call(decodeURIComponent(path.slice('/api/'.length)), input);
    if (result.ok) sendJson(response, 200, result);
    else sendJson(response, httpStatusOf[result.error.code], result);
  };

  const openEventStream = (request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no'
    });
    response.write('retry: 1000\n\n');
    sseClients.add(response);
    const unsubscribe = options.events.subscribe((event) => {
      response.write(`event: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`);
    });
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), heartbeatMs);
    request.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      sseClients.delete(response);
    });
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (!knownHost(request)) {
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Hearth answers only to localhost names.');
      return;
    }
    const work = path.startsWith('/api/')
      ? handleApi(request, response, path)
      : (() => {
          const key = url.searchParams.get('key');
          if (options.apiKey && key === options.apiKey) {
            response.setHeader('Set-Cookie', `${keyCookie}=${encodeURIComponent(key)}; HttpOnly; SameSite=Strict; Path=/`);
          } else if (!authorized(request)) {
            response.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
            response.end('Open this page with ?key=<your API key>.');
            return Promise.resolve();
          }
          return serveStatic(options.staticDir, path, response);
        })();
    work.catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      sendError(response, ApiError.from(error));
    });
  });
  server.keepAliveTimeout = 5_000;

  return new Promise((resolvePromise, rejectPromise) => {
    server.once('error', rejectPromise);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectPromise);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
      resolvePromise({
        server,
        url: `http://${shownHost}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of sseClients) client.end();
            server.close(() => done());
            server.closeAllConnections();
          })
      });
    });
  });
}
