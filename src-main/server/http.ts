import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, busyRetryAfterSeconds, httpStatusOf, type CallResult, type EventBus, type Router } from '../api';
import { contentSecurityPolicy } from './csp';
import { serveStatic } from './static';

export interface HttpServerOptions {
  router: Router;
  events: EventBus;
  /** The built renderer folder; null serves the API alone. */
  staticDir: string | null;
  host?: string;
  port?: number;
  /**
   * The secret every request needs (loopback is not a boundary between the users of one machine): the
   * data folder's browser token, or the API key the user set. A page opened with `?token=` gets it as
   * an HttpOnly cookie; scripts send `Authorization: Bearer <token>`.
   */
  token: string;
  /** Binding anything but loopback needs a secret the user chose, not only the generated token. */
  userKey?: boolean;
  maxBodyBytes?: number;
}

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export const defaultMaxBodyBytes = 64 * 1024 * 1024;
/**
 * The session cookie a page gets for the token in its address. Browsers keep cookies per host, not per
 * port, so the name carries the port: two Hearths on one machine do not sign each other out.
 */
export function sessionCookieName(port: number): string {
  return `hearth_session_${port}`;
}
const heartbeatMs = 15_000;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // Busy is temporary (a reply in the conversation, the database locked by another program): say when to try again.
  const retry = status === httpStatusOf.BUSY ? { 'Retry-After': String(busyRetryAfterSeconds) } : {};
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...retry });
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
 * A DNS-rebinding page reaches 127.0.0.1 under its own host name: a server bound to loopback answers
 * only requests addressed to a loopback name (the Host header).
 */
export function answersHost(boundHost: string, request: IncomingMessage): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  const hostname = (request.headers.host ?? '').replace(/:\d+$/, '');
  return isLoopbackHost(hostname);
}

/** Constant-time comparison, so the token cannot be guessed a character at a time from response times. */
function secretMatches(given: string | undefined | null, secret: string): boolean {
  if (!given) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(secret)];
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

const signInPage = `<!doctype html><meta charset="utf-8"><title>Hearth</title>
<h1>Hearth needs its address with the token</h1>
<p>Hearth's browser mode is private to you: open it with the full address <code>hearth serve</code> (or <code>npm start</code>) printed,
the one ending in <code>?token=…</code>. The token is also in the file <code>browser-token</code> in Hearth's data folder.</p>`;

/**
 * Browser mode's transport: `POST /api/<method>` with a JSON body for every method of the contract, and
 * `GET /api/events` as Server-Sent Events. Requests from other origins are refused (no CORS), and
 * JSON is required so a cross-site form cannot call the API.
 */
export function startHttpServer(options: HttpServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.userKey) {
    return Promise.reject(
      new Error(`Refusing to serve on ${host} without an API key: set HEARTH_API_KEY (or --api-key) to expose Hearth beyond this machine.`)
    );
  }
  const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
  const sseClients = new Set<ServerResponse>();
  // Named once the port is known; no request arrives before that.
  let cookieName = sessionCookieName(0);

  const authorized = (request: IncomingMessage): boolean => {
    const bearer = request.headers.authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const cookie = request.headers.cookie?.split(/;\s*/).find((part) => part.startsWith(`${cookieName}=`))?.slice(cookieName.length + 1);
    return secretMatches(bearer, options.token) || secretMatches(cookie === undefined ? undefined : safeDecode(cookie), options.token);
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

  const handleApi = async (request: IncomingMessage, response: ServerResponse, path: string) => {
    if (!authorized(request)) {
      return sendJson(response, 401, { ok: false, error: { code: 'FORBIDDEN', message: 'Open Hearth with the address `hearth serve` printed (it carries the token), or send Authorization: Bearer <token>.' } });
    }
    if (!sameOrigin(request)) return sendError(response, new ApiError('FORBIDDEN', 'Cross-origin requests are not allowed.'));
    if (path === '/api/events') return openEventStream(request, response);
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      return sendJson(response, 405, { ok: false, error: { code: 'VALIDATION', message: 'API methods are called with POST.' } });
    }
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return sendError(response, new ApiError('VALIDATION', 'API requests must have Content-Type: application/json.'));
    }
    const name = safeDecode(path.slice('/api/'.length));
    if (name === null) return sendError(response, new ApiError('VALIDATION', 'The method name in the address is not validly percent-encoded.'));
    const input = await readJsonBody(request, limit);
    const result = await options.router.call(name, input);
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
      if (!response.writableEnded) response.write(`event: ${event.name}\ndata: ${JSON.stringify(event.payload)}\n\n`);
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
    if (!answersHost(host, request)) {
      response.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Hearth answers only to localhost names.');
      return;
    }
    const work = path.startsWith('/api/')
      ? handleApi(request, response, path)
      : (() => {
          const token = url.searchParams.get('token');
          if (token !== null && secretMatches(token, options.token)) {
            // The token becomes a cookie the page's scripts cannot read, and leaves the address bar (and history).
            url.searchParams.delete('token');
            response.writeHead(303, {
              'Set-Cookie': `${cookieName}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
              Location: `${url.pathname}${url.search}`,
              'Cache-Control': 'no-store',
              'Referrer-Policy': 'no-referrer'
            });
            response.end();
            return Promise.resolve();
          }
          if (!authorized(request)) {
            response.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': contentSecurityPolicy(), 'Cache-Control': 'no-store' });
            response.end(signInPage);
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
      cookieName = sessionCookieName(port);
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
