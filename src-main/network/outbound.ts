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

/**
 * The one door to the network. Every request Hearth makes beyond this machine (downloads, Hub
 * look-ups, remote engines) goes through it: it is logged, and refused while the app is offline.
 * Nothing else in the main process opens outbound connections.
 */
export class Outbound {
  private readonly records: OutboundRecord[] = [];
  private nextId = 1;

  constructor(private readonly options: OutboundOptions) {}

  /** `fetch`, for one purpose; a refusal or failure is logged as well as a response. */
  async fetch(purpose: OutboundPurpose, url: string, init: RequestInit = {}): Promise<Response> {
    const record = this.permit(purpose, url, init.method ?? 'GET');
    try {
      const response = await fetch(url, init);
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
