import { describe, expect, it, vi } from 'vitest';
import type { AnyHearthEvent, MethodName } from '../../../src-main/api';
import { createPreloadApi, type IpcRendererLike } from '../../../src-main/electron/preloadApi';
import { FakeEmitter } from './fakes';

/** Stands in for ipcRenderer: invoke answers with `reply`, and `push` plays a message from main. */
class FakeIpcRenderer extends FakeEmitter implements IpcRendererLike {
  readonly invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => this.reply());
  constructor(private readonly reply: () => unknown = () => ({ ok: true, result: null })) {
    super();
  }

  push(channel: string, payload: unknown): void {
    // What Electron passes first: an IpcRendererEvent, which holds `sender` (ipcRenderer itself).
    this.emit(channel, { sender: this, senderId: 0 }, payload);
  }
}

const event: AnyHearthEvent = { name: 'chat.delta', payload: { conversationId: 1, messageId: 2, segment: 'answer', delta: 'Hi', outputTokens: 1 } };

describe('createPreloadApi: call', () => {
  it('invokes hearth:call with the name and input and resolves with the result', async () => {
    const info = { name: 'Hearth', version: '0.1.0' };
    const ipc = new FakeIpcRenderer(() => ({ ok: true, result: info }));
    await expect(createPreloadApi(ipc).call('app.info', {})).resolves.toEqual(info);
    expect(ipc.invoke).toHaveBeenCalledExactlyOnceWith('hearth:call', 'app.info', {});
  });

  it('rejects with the typed error of an error envelope, code and issues included', async () => {
    const error = { code: 'VALIDATION', message: 'Invalid input — id: Too small', issues: [{ path: 'id', message: 'Too small' }] };
    const ipc = new FakeIpcRenderer(() => ({ ok: false, error }));
    await expect(createPreloadApi(ipc).call('conversations.get', { id: 0 })).rejects.toEqual({ name: 'ApiError', ...error });
  });

  it('carries the details of an error (TOO_LARGE: the fit and the context that would fit)', async () => {
    const error = {
      code: 'TOO_LARGE',
      message: 'llama-2-70b.gguf: 40.9 GiB weights … → too large. It would fit with a context of 1024 tokens.',
      details: { fit: { fitClass: 'too-large' }, fittingContextSize: 1024 }
    };
    const ipc = new FakeIpcRenderer(() => ({ ok: false, error }));
    const rejection = await createPreloadApi(ipc).call('engine.load', { model: 'llama-2-70b.gguf' }).catch((failure: unknown) => failure);
    expect(Object.getPrototypeOf(rejection)).toBe(Object.prototype);
    expect(rejection).toEqual({ name: 'ApiError', ...error });
  });

  it('rejects with a plain object, because contextBridge keeps only the message of an Error', async () => {
    const ipc = new FakeIpcRenderer(() => ({ ok: false, error: { code: 'NO_MODEL', message: 'Load a model first.' } }));
    const rejection = await createPreloadApi(ipc).call('chat.send', { conversationId: 1, content: 'Hi' }).catch((error: unknown) => error);
    expect(Object.getPrototypeOf(rejection)).toBe(Object.prototype);
    expect(rejection).toEqual({ name: 'ApiError', code: 'NO_MODEL', message: 'Load a model first.' });
  });

  it('refuses an unknown method name without touching IPC', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createPreloadApi(ipc);
    await expect(api.call('fs.readFile' as MethodName, {} as never)).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    await expect(api.call('toString' as MethodName, {} as never)).rejects.toMatchObject({ code: 'UNKNOWN_METHOD' });
    expect(ipc.invoke).not.toHaveBeenCalled();
  });

  it('turns a failure of IPC itself into an INTERNAL error', async () => {
    const ipc = new FakeIpcRenderer(() => {
      throw new Error("No handler registered for 'hearth:call'");
    });
    await expect(createPreloadApi(ipc).call('app.info', {})).rejects.toEqual({
      name: 'ApiError',
      code: 'INTERNAL',
      message: "No handler registered for 'hearth:call'"
    });
  });

  it('treats a reply that is not an envelope as INTERNAL', async () => {
    const ipc = new FakeIpcRenderer(() => 'surprise');
    await expect(createPreloadApi(ipc).call('app.info', {})).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('createPreloadApi: onEvent', () => {
  it('hands the listener the event alone, never the IpcRendererEvent', () => {
    const ipc = new FakeIpcRenderer();
    const listener = vi.fn();
    createPreloadApi(ipc).onEvent(listener);
    ipc.push('hearth:event', event);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([event]);
  });

  it('stops delivering once unsubscribed, and removes its IPC listener', () => {
    const ipc = new FakeIpcRenderer();
    const kept = vi.fn();
    const dropped = vi.fn();
    const api = createPreloadApi(ipc);
    api.onEvent(kept);
    const unsubscribe = api.onEvent(dropped);
    unsubscribe();
    unsubscribe();
    ipc.push('hearth:event', event);
    expect(dropped).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
    expect(ipc.count('hearth:event')).toBe(1);
  });

  it('does not deliver menu commands as events', () => {
    const ipc = new FakeIpcRenderer();
    const listener = vi.fn();
    createPreloadApi(ipc).onEvent(listener);
    ipc.push('hearth:menu', 'new-chat');
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('createPreloadApi: onMenuCommand', () => {
  it('delivers known menu commands and ignores anything else', () => {
    const ipc = new FakeIpcRenderer();
    const listener = vi.fn();
    const unsubscribe = createPreloadApi(ipc).onMenuCommand(listener);
    ipc.push('hearth:menu', 'new-chat');
    ipc.push('hearth:menu', 'search');
    ipc.push('hearth:menu', 'format-disk');
    expect(listener.mock.calls).toEqual([['new-chat'], ['search']]);
    unsubscribe();
    ipc.push('hearth:menu', 'new-chat');
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe('dropped files', () => {
  it('hands the path of a dropped file through to the page, which browsers never reveal', async () => {
    const { createPreloadApi } = await import('../../../src-main/electron/preloadApi');
    const seen: unknown[] = [];
    const api = createPreloadApi({ invoke: async () => ({ ok: true, result: null }), on: () => undefined, removeListener: () => undefined }, (file) => (seen.push(file), '/home/me/model.gguf'));
    const file = { name: 'model.gguf' };
    expect(api.pathForFile(file)).toBe('/home/me/model.gguf');
    expect(seen).toEqual([file]);
  });
});
