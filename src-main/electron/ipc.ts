/**
 * The Electron IPC binding of the API contract: one invoke channel for every method (the router
 * validates names and inputs), one push channel for every event. Errors cross as the router's
 * envelope, because class instances lose their fields on the way through IPC.
 */
import { ApiError, type CallResult, type EventBus, type Router } from '../api';
import type { AppUrlPolicy } from './appUrl';
import { ipcChannels } from './channels';

/** The part of an `IpcMainInvokeEvent` the binding reads. */
export interface InvokeEventLike {
  readonly senderFrame: { readonly url: string } | null;
}

/** The part of Electron's `ipcMain` the binding uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The part of a `WebContents` events are pushed to. */
export interface EventTargetContents {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcBindingOptions {
  ipcMain: IpcMainLike;
  router: Router;
  events: EventBus;
  /** Only frames showing the app itself may call methods or receive events. */
  isAppUrl: AppUrlPolicy;
  /** Every window's contents at the moment an event is emitted (windows come and go). */
  eventTargets: () => Iterable<EventTargetContents>;
}

const forbidden: CallResult<never> = {
  ok: false,
  error: new ApiError('FORBIDDEN', 'This frame is not allowed to call the Hearth API.').toJSON()
};

/** Binds the contract to IPC; the returned function undoes it. */
export function bindIpc(options: IpcBindingOptions): () => void {
  const { ipcMain, router, events, isAppUrl, eventTargets } = options;

  ipcMain.handle(ipcChannels.call, (event, name, input) => {
    // A null frame has navigated away or gone: nothing is left to answer to with trust.
    const url = event.senderFrame?.url;
    if (url === undefined || !isAppUrl(url)) return forbidden;
    return router.call(name, input);
  });

  const unsubscribe = events.subscribe((event) => {
    for (const contents of eventTargets()) {
      // Chat text must never reach a page that is not the app, even if one were ever loaded.
      if (contents.isDestroyed() || !isAppUrl(contents.getURL())) continue;
      contents.send(ipcChannels.event, event);
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(ipcChannels.call);
  };
}
