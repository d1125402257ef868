import { ApiError, type OutboundRecord, type OutboundPurpose } from '../api';

export interface OutboundOptions {
  /** Read on every request: switching offline blocks the next one at once. */
  offline: () => boolean;
  onRecord?: (record: OutboundRecord) => void;
  /** Records kept for Settings → Network. */
  capacity?: number;
  now?: () => number;
}

/** Keys and tokens never reach the log: query strings are dropped and credentials stripped. */
export function loggableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? '?…' : ''}`;
  } catch {
    return '(not a URL)';
  }
}

/** Hops a request follows at most, as browsers do. */
const maxRedirects = 20;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * The request for the next hop of a redirect, as fetch makes it: a 303 (or a 301/302 after a POST)
 * becomes a GET without a body, and credentials never travel to another origin.
 */
function nextHop(init: RequestInit, status: number, crossOrigin: boolean): RequestInit {
  const headers = new Headers(init.headers);
  if (crossOrigin) for (const name of ['authorization', 'cookie', 'proxy-authorization']) headers.delete(name);
  const method = (init.method ?? 'GET').toUpperCase();
  if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    for (const name of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(name);
    return { ...init, method: 'GET', body: undefined, headers };
  }
  return { ...init, headers };
}

/**
 * The one door to the network. Every request Hearth makes beyond this machine (downloads, Hub
 * look-ups, remote engines) goes through it: it is logged, and refused while the app is offline.
 * Nothing else in the main process opens outbound connections.
 */
export class Outbound {
  private readonly records: OutboundRecord[] = [];
  private readonly answered = new WeakMap<Response, OutboundRecord>();
  private nextId = 1;

  constructor(private readonly options: OutboundOptions) {}

  /**
   * `fetch`, for one purpose; a refusal or failure is logged as well as a response. Redirects are
   * followed here, hop by hop, so that each hop is a row of the log (and is refused while offline);
   * `redirect: 'manual'` or `'error'` makes one request only.
   */
  async fetch(purpose: OutboundPurpose, url: string, init: RequestInit = {}): Promise<Response> {
    if (init.redirect === 'manual' || init.redirect === 'error') return this.fetchOnce(purpose, url, init);
    let current = url;
    let request = init;
    for (let hop = 0; ; hop++) {
      const response = await this.fetchOnce(purpose, current, { ...request, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || location === null) return response;
      await response.body?.cancel();
      const next = new URL(location, current);
      if (hop >= maxRedirects || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
        throw new TypeError(`fetch failed: ${hop >= maxRedirects ? `more than ${maxRedirects} redirects` : `a redirect to ${next.protocol}`}`);
      }
      request = nextHop(request, response.status, next.origin !== new URL(current).origin);
      current = next.href;
    }
  }

  /**
   * Adds what an answer meant to its row, when its status alone would not say it (a 200 to a resumed
   * download: the file changed on the server). Silently nothing for a response not fetched here.
   */
  note(response: Response, note: string): void {
    const record = this.answered.get(response);
    if (record) this.update(record, { note });
  }

  private async fetchOnce(purpose: OutboundPurpose, url: string, init: RequestInit): Promise<Response> {
    const record = this.permit(purpose, url, init.method ?? 'GET');
    try {
      const response = await fetch(url, init);
      this.answered.set(response, record);
      this.update(record, { status: response.status });
      return response;
    } catch (error) {
      this.update(record, { error: error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error) });
      throw error;
    }
  }

  /** A `fetch` bound to one purpose, for code that takes a fetch function. */
  fetcher(purpose: OutboundPurpose): typeof fetch {
    return ((url: string | URL | Request, init?: RequestInit) => this.fetch(purpose, String(url instanceof Request ? url.url : url), init)) as typeof fetch;
  }

  /**
   * Checks and logs a request a library makes itself (node-llama-cpp reading a remote GGUF header):
   * it throws while offline, so the library is never called.
   */
  permit(purpose: OutboundPurpose, url: string, method = 'GET'): OutboundRecord {
    const blocked = this.options.offline();
    const record: OutboundRecord = { id: this.nextId++, at: (this.options.now ?? Date.now)(), purpose, method, url: loggableUrl(url), status: null, error: blocked ? 'blocked: Hearth is offline' : null, blocked };
    this.records.push(record);
    if (this.records.length > (this.options.capacity ?? 500)) this.records.shift();
    this.options.onRecord?.(record);
    if (blocked) throw new ApiError('FORBIDDEN', `Hearth is offline, so it did not contact ${new URL(url).host}. Switch offline mode off in Settings → Network to allow it.`);
    return record;
  }

  /**
   * `permit`, for a request whose answer the library reports later (electron-updater's, seen through its
   * session's request hooks): returns what records that answer, a status or an error.
   */
  track(purpose: OutboundPurpose, url: string, method = 'GET'): (result: { status: number } | { error: string }) => void {
    const record = this.permit(purpose, url, method);
    return (result) => this.update(record, result);
  }

  /** Newest first. */
  log(): OutboundRecord[] {
    return [...this.records].reverse();
  }

  private update(record: OutboundRecord, changes: Partial<OutboundRecord>): void {
    Object.assign(record, changes);
    this.options.onRecord?.(record);
  }
}
