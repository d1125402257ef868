import { describe, expect, it, vi } from 'vitest';
import { createRouter, defaultGenerationSettings, EventBus, type CallResult, type Handlers, type Router } from '../../../src-main/api';
import { createAppUrlPolicy } from '../../../src-main/electron/appUrl';
import { bindIpc, type InvokeEventLike, type IpcMainLike } from '../../../src-main/electron/ipc';
import { appUrl } from './fakes';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => unknown;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();
  readonly registrations: string[] = [];

  handle(channel: string, listener: Handler): void {
    // Electron refuses a second handler on one channel; so does the fake.
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.registrations.push(channel);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  invoke(url: string | null, ...args: unknown[]): Promise<CallResult<unknown>> {
    const handler = this.handlers.get('hearth:call');
    if (!handler) throw new Error('no handler');
    return Promise.resolve(handler({ senderFrame: url === null ? null : { url } }, ...args) as CallResult<unknown>);
  }
}

class FakeContents {
  readonly sent: unknown[][] = [];
  constructor(
    private url = appUrl,
    private destroyed = false
  ) {}
  isDestroyed = () => this.destroyed;
  getURL = () => this.url;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
}

function setup(router: Router = { call: vi.fn(async () => ({ ok: true, result: 'unused' }) as const) }) {
  const ipcMain = new FakeIpcMain();
  const events = new EventBus();
  const windows = [new FakeContents(), new FakeContents()];
  const dispose = bindIpc({ ipcMain, router, events, isAppUrl: createAppUrlPolicy(appUrl), eventTargets: () => windows });
  return { ipcMain, events, windows, dispose, router };
}

const statusPayload = { state: 'idle', model: null, error: null, generatingConversationId: null } as const;
const changed = (id: number) => ({
  conversation: { id, title: 'A chat', model: null, systemPrompt: '', settings: defaultGenerationSettings, chatTemplate: null, pinned: false, createdAt: 0, updatedAt: 0 }
});

describe('bindIpc: methods', () => {
  it('registers exactly one handler, on hearth:call', () => {
    const { ipcMain } = setup();
    expect(ipcMain.registrations).toEqual(['hearth:call']);
  });

  it('forwards the name and input to the router and returns its envelope as is', async () => {
    const envelope = { ok: true, result: { id: 7 } } as const;
    const router = { call: vi.fn(async () => envelope) };
    const { ipcMain } = setup(router);
    const reply = await ipcMain.invoke(appUrl, 'conversations.get', { id: 7 });
    expect(router.call).toHaveBeenCalledExactlyOnceWith('conversations.get', { id: 7 });
    expect(reply).toBe(envelope);
  });

  it('passes the router’s error envelope through, since error classes cannot cross IPC', async () => {
    const { ipcMain } = setup(createRouter({} as Handlers));
    const reply = await ipcMain.invoke(`${appUrl}#/chat`, 'no.such.method', {});
    expect(reply).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'Unknown method: no.such.method' } });
  });

  it.each([
    ['a web page', 'https://evil.example/'],
    ['another local file', 'file:///tmp/download.html'],
    ['the dev server URL when the app runs from files', 'http://localhost:5173/']
  ])('answers FORBIDDEN to %s, without calling the router', async (_label, url) => {
    const { ipcMain, router } = setup();
    const reply = await ipcMain.invoke(url, 'app.info', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(router.call).not.toHaveBeenCalled();
  });

  it('answers FORBIDDEN when the sending frame is gone', async () => {
    const { ipcMain, router } = setup();
    expect(await ipcMain.invoke(null, 'app.info', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(router.call).not.toHaveBeenCalled();
  });
});

describe('bindIpc: events', () => {
  it('sends every EventBus event to every window on hearth:event', () => {
    const { events, windows } = setup();
    events.emit('engine.status', statusPayload);
    events.emit('conversations.changed', changed(3));
    for (const window of windows) {
      expect(window.sent).toEqual([
        ['hearth:event', { name: 'engine.status', payload: statusPayload }],
        ['hearth:event', { name: 'conversations.changed', payload: changed(3) }]
      ]);
    }
  });

  it('reaches windows opened after binding', () => {
    const { events, windows } = setup();
    const late = new FakeContents();
    windows.push(late);
    events.emit('conversations.changed', changed(1));
    expect(late.sent).toHaveLength(1);
  });

  it('skips destroyed windows and pages that are not the app', () => {
    const { events, windows } = setup();
    const destroyed = new FakeContents(appUrl, true);
    const foreign = new FakeContents('https://evil.example/');
    windows.push(destroyed, foreign);
    events.emit('conversations.changed', changed(1));
    expect(destroyed.sent).toEqual([]);
    expect(foreign.sent).toEqual([]);
    expect(windows[0].sent).toHaveLength(1);
  });

  it('stops forwarding and removes the handler once disposed', () => {
    const { ipcMain, events, windows, dispose } = setup();
    dispose();
    events.emit('conversations.changed', changed(1));
    for (const window of windows) expect(window.sent).toEqual([]);
    expect(ipcMain.handlers.size).toBe(0);
  });
});
