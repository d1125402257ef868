import {
  eventNames,
  type AnyHearthEvent,
  type HearthTransport,
  type MethodInput,
  type MethodName,
  type MethodOutput
} from '$api/contract';
import type { CallResult } from '$api/errors';
import { ApiClientError } from './errors';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface HttpTransportOptions {
  /** Where `/api` lives; defaults to the page's own origin and folder. */
  baseUrl?: string;
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
}

/**
 * Browser mode: methods are `POST <base>/api/<name>` with the input as JSON; events arrive as
 * Server-Sent Events from `GET <base>/api/events` (one SSE event name per Hearth event name).
 */
export class HttpTransport implements HearthTransport {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly EventSourceImpl: typeof EventSource;
  private source: EventSource | null = null;
  private readonly listeners = new Set<(event: AnyHearthEvent) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private everOpened = false;

  constructor(options: HttpTransportOptions = {}) {
    this.baseUrl = (options.baseUrl ?? new URL('.', location.href).href).replace(/\/?$/, '/');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.EventSourceImpl = options.EventSource ?? globalThis.EventSource;
  }

  async call<K extends MethodName>(name: K, input: MethodInput<K>): Promise<MethodOutput<K>> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}api/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(input ?? {})
      });
    } catch (error) {
      const detail = error instanceof Error ? ` (${error.message})` : '';
      throw new ApiClientError('NETWORK', `Cannot reach the Hearth server${detail}.`);
    }
    let body: CallResult<MethodOutput<K>>;
    try {
      body = (await response.json()) as CallResult<MethodOutput<K>>;
    } catch {
      throw new ApiClientError(
        response.status >= 500 ? 'INTERNAL' : 'NETWORK',
        `Unexpected reply from the Hearth server (HTTP ${response.status}).`
      );
    }
    if (body && body.ok === true) return body.result;
    if (body && body.ok === false && body.error) {
      throw new ApiClientError(body.error.code, body.error.message, body.error.issues, body.error.details);
    }
    throw new ApiClientError('INTERNAL', `Malformed reply from the Hearth server (HTTP ${response.status}).`);
  }

  onEvent(listener: (event: AnyHearthEvent) => void): () => void {
    this.listeners.add(listener);
    this.ensureSource();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.close();
    };
  }

  /** Connection changes of the event stream; 'open' after 'reconnecting' means events may have been missed. */
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  close(): void {
    this.source?.close();
    this.source = null;
  }

  private ensureSource(): void {
    if (this.source || !this.EventSourceImpl) return;
    const source = new this.EventSourceImpl(`${this.baseUrl}api/events`);
    this.source = source;
    this.emitConnection('connecting');
    source.addEventListener('open', () => {
      this.everOpened = true;
      this.emitConnection('open');
    });
    // EventSource reconnects by itself; we only report it.
    source.addEventListener('error', () => {
      if (this.everOpened) this.emitConnection('reconnecting');
    });
    for (const name of eventNames) {
      source.addEventListener(name, (message: MessageEvent<string>) => {
        let payload: unknown;
        try {
          payload = JSON.parse(message.data);
        } catch {
          console.warn(`[hearth] ignoring malformed ${name} event`);
          return;
        }
        const event = { name, payload } as AnyHearthEvent;
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch (error) {
            console.error(`[hearth] ${name} listener failed:`, error);
          }
        }
      });
    }
  }

  private emitConnection(state: ConnectionState): void {
    for (const listener of this.connectionListeners) listener(state);
  }
}
