import type {
  EventName,
  Events,
  HearthTransport,
  MethodInput,
  MethodName,
  MethodOutput
} from '$api/contract';
import { IpcTransport } from './ipc';
import { HttpTransport, type ConnectionState } from './http';

export { ApiClientError, type ClientErrorCode } from './errors';
export { HttpTransport, type ConnectionState } from './http';
export { IpcTransport } from './ipc';

/** The renderer's typed client: method names, inputs, outputs and events all come from the contract. */
export interface HearthApi {
  readonly transport: 'ipc' | 'http';
  call<K extends MethodName>(name: K, input: MethodInput<K>): Promise<MethodOutput<K>>;
  on<K extends EventName>(name: K, handler: (payload: Events[K]) => void): () => void;
  /** Event-stream connection changes (browser mode only; IPC is always connected). */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

export function createClient(transport: HearthTransport, kind: 'ipc' | 'http'): HearthApi {
  return {
    transport: kind,
    call: (name, input) => transport.call(name, input),
    on(name, handler) {
      return transport.onEvent((event) => {
        if (event.name === name) (handler as (payload: unknown) => void)(event.payload);
      });
    },
    onConnection(listener) {
      return transport instanceof HttpTransport ? transport.onConnection(listener) : () => {};
    }
  };
}

/** IPC when the Electron preload exposed `window.hearth`, else HTTP + SSE to the page's own server. */
export function createApi(): HearthApi {
  if (typeof window !== 'undefined' && window.hearth) return createClient(new IpcTransport(window.hearth), 'ipc');
  return createClient(new HttpTransport(), 'http');
}
