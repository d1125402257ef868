/**
 * What the preload exposes as `window.hearth`, kept free of Electron so it can be tested.
 *
 * Failures reject with a plain `{ name: 'ApiError', code, message, issues?, details? }` object rather
 * than an Error: contextBridge rebuilds a thrown or rejected Error from its message alone, so `code`,
 * `issues` and `details` would be lost on the way to the renderer, while a plain object is copied whole.
 */
import { isMethodName, type AnyHearthEvent, type ApiErrorShape, type HearthTransport } from '../api';
import { ipcChannels, isMenuCommand, type MenuCommand } from './channels';

/** The part of Electron's `ipcRenderer` the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export type BridgedApiError = ApiErrorShape & { name: 'ApiError' };

export interface HearthDesktopApi extends HearthTransport {
  /** Commands chosen in the application menu (New chat, Search). */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  /** The path of a file dropped on the window, so it can be imported (Electron's webUtils; browsers hide paths). */
  pathForFile(file: unknown): string;
}

function bridgedError(error: ApiErrorShape): BridgedApiError {
  const { code, message, issues, details } = error;
  return { name: 'ApiError', code, message, ...(issues ? { issues } : {}), ...(details ? { details } : {}) };
}

function isEnvelope(value: unknown): value is { ok: true; result: unknown } | { ok: false; error: ApiErrorShape } {
  if (typeof value !== 'object' || value === null) return false;
  const envelope = value as { ok?: unknown; error?: unknown };
  return envelope.ok === true || (envelope.ok === false && typeof envelope.error === 'object' && envelope.error !== null);
}

async function invokeMethod(ipc: IpcRendererLike, name: unknown, input: unknown): Promise<unknown> {
  // Refused here so a typo in the renderer never becomes a round trip to the main process.
  if (!isMethodName(name)) {
    throw bridgedError({ code: 'UNKNOWN_METHOD', message: `Unknown method: ${String(name).slice(0, 100)}` });
  }
  let envelope: unknown;
  try {
    envelope = await ipc.invoke(ipcChannels.call, name, input);
  } catch (error) {
    // Only reached when IPC itself failed (no handler yet, window closing), never for a method's own error.
    throw bridgedError({ code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
  }
  if (!isEnvelope(envelope)) throw bridgedError({ code: 'INTERNAL', message: `Malformed reply to ${name}` });
  if (envelope.ok) return envelope.result;
  throw bridgedError(envelope.error);
}

/** Subscribes to one main → renderer channel; the listener never sees the IpcRendererEvent (it carries `sender`). */
function listen(ipc: IpcRendererLike, channel: string, deliver: (payload: unknown) => void): () => void {
  const forward = (_event: unknown, payload: unknown) => deliver(payload);
  ipc.on(channel, forward);
  return () => {
    ipc.removeListener(channel, forward);
  };
}

export function createPreloadApi(ipc: IpcRendererLike, pathForFile: (file: unknown) => string = () => ''): HearthDesktopApi {
  return {
    // The generic signature is the renderer's promise; the runtime check is isMethodName plus the router's validation.
    call: ((name: unknown, input: unknown) => invokeMethod(ipc, name, input)) as HearthTransport['call'],
    onEvent: (listener) => listen(ipc, ipcChannels.event, (payload) => listener(payload as AnyHearthEvent)),
    pathForFile,
    onMenuCommand: (listener) =>
      listen(ipc, ipcChannels.menu, (payload) => {
        if (isMenuCommand(payload)) listener(payload);
      })
  };
}
