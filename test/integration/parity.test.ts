import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGenerationSettings, eventNames, methodNames, type AnyHearthEvent, type Events, type EventName, type HearthTransport, type HubRepositoryFiles, type MethodInput, type MethodName } from '../../src-main/api';
import { createAppUrlPolicy } from '../../src-main/electron/appUrl';
import { bindIpc, type IpcMainLike, type InvokeEventLike } from '../../src-main/electron/ipc';
import { createPreloadApi, type IpcRendererLike } from '../../src-main/electron/preloadApi';
import { EventSource } from 'eventsource';
import { HttpTransport } from '../../src-renderer/src/lib/api/http';
import { IpcTransport } from '../../src-renderer/src/lib/api/ipc';
import { startHttpServer, type RunningServer } from '../../src-main/server';
import { startOpenAiServer } from '../../src-main/server/openai';
import { startTestHearth, type TestHearth } from '../helpers/hearth';
import { startFileServer, type FileServer } from '../helpers/file-server';
import { stories260K, tinyRandomLlama } from '../helpers/paths';

const appUrl = 'hearth://app/';
const token = 'parity-test-token-with-enough-characters';

/** A recording ipcMain + webContents + ipcRenderer pair, wired the way Electron wires them. */
function fakeElectronIpc() {
  const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
  const rendererListeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel)
  };
  const webContents = {
    isDestroyed: () => false,
    getURL: () => appUrl,
    send: (channel: string, ...args: unknown[]) => rendererListeners.get(channel)?.forEach((listener) => listener({ sender: 'ipc-event' }, ...args))
  };
  const ipcRenderer: IpcRendererLike = {
    // Structured clone is what IPC does to every argument and reply.
    invoke: async (channel, ...args) => structuredClone(await handlers.get(channel)!({ senderFrame: { url: appUrl } }, ...structuredClone(args))),
    on: (channel, listener) => void (rendererListeners.get(channel) ?? rendererListeners.set(channel, new Set()).get(channel)!).add(listener),
    removeListener: (channel, listener) => void rendererListeners.get(channel)?.delete(listener)
  };
  return { ipcMain, webContents, ipcRenderer, handlers };
}

/** Sends the first bytes of any .gguf and then nothing: a download that stays in progress until stopped. */
async function startTricklingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const open = new Set<import('node:http').ServerResponse>();
  const server = createServer((request, response) => {
    response.writeHead(200, { 'Content-Length': 10 * 1024 * 1024 });
    if (request.method === 'HEAD') return response.end();
    open.add(response);
    response.write(Buffer.from('GGUF'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => (open.forEach((response) => response.destroy()), server.close(() => resolve()), server.closeAllConnections()))
  };
}

/**
 * The renderer's own clients: `HttpTransport` (fetch + EventSource, as browser mode runs it) and
 * `IpcTransport` over the preload's bridge (as the desktop window runs it), each recording its events.
 */
function rendererClients(url: string, ipcRenderer: IpcRendererLike) {
  // Node has no cookie jar: the clients send the token as scripts do, as a bearer header.
  const authorized: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `Bearer ${token}` } });
  class AuthorizedEventSource extends EventSource {
    constructor(url: string | URL) {
      super(url, { fetch: authorized });
    }
  }
  const http = new HttpTransport({ baseUrl: `${url}/`, fetch: authorized, EventSource: AuthorizedEventSource as unknown as typeof globalThis.EventSource });
  const ipc = new IpcTransport(createPreloadApi(ipcRenderer));
  const received = { http: [] as AnyHearthEvent[], ipc: [] as AnyHearthEvent[] };
  const unsubscribe = [http.onEvent((event) => received.http.push(event)), ipc.onEvent((event) => received.ipc.push(event))];
  const opened = new Promise<void>((resolve) => http.onConnection((state) => state === 'open' && resolve()));
  return { http, ipc, received, opened, close: () => unsubscribe.forEach((stop) => stop()) };
}

interface Context {
  conversationId: number;
  exportedJson: string;
  downloadUrl: string;
  downloadId: number;
  importPath: string;
  importedName: string;
  inspectUrl: string;
  userMessageId: number;
  replyId: number;
  editedMessageId: number;
  remoteUrl: string;
  remoteId: number;
  documentId: number;
  collectionId: number;
}

/** One valid input per method: the mapped type makes a method added to the contract without a sample a type error. */
const samples: { [K in MethodName]: (context: Context) => MethodInput<K> } = {
  'app.info': () => ({}),
  'models.list': () => ({}),
  'models.import': ({ importPath }) => ({ path: importPath }),
  'models.delete': ({ importedName }) => ({ model: importedName }),
  'engine.status': () => ({}),
  'hardware.probe': () => ({}),
  'catalog.recommend': () => ({ contextSize: 4096 }),
  'catalog.calculate': () => ({ parameters: 7e9, precision: 'int4', contextSize: 4096 }),
  'catalog.estimate': () => ({ source: { installed: 'stories260K.gguf' }, contextSize: 2048 }),
  'engine.load': () => ({ model: 'stories260K.gguf' }),
  'conversations.create': () => ({ model: 'stories260K.gguf', settings: { temperature: 0, maxTokens: 16 } }),
  'conversations.list': () => ({}),
  'conversations.get': ({ conversationId }) => ({ id: conversationId }),
  'conversations.update': ({ conversationId }) => ({ id: conversationId, systemPrompt: '', pinned: true }),
  'chat.send': ({ conversationId }) => ({ conversationId, content: 'Once upon a time' }),
  'chat.stop': ({ conversationId }) => ({ conversationId }),
  'chat.context': ({ conversationId }) => ({ conversationId, draft: ' Then' }),
  'chat.regenerate': ({ conversationId, replyId }) => ({ conversationId, messageId: replyId }),
  'messages.select': ({ conversationId, replyId }) => ({ conversationId, messageId: replyId }),
  'chat.continue': ({ conversationId, replyId }) => ({ conversationId, messageId: replyId }),
  'chat.edit': ({ conversationId, userMessageId }) => ({ conversationId, messageId: userMessageId, content: 'Once upon a time there' }),
  'messages.delete': ({ conversationId, editedMessageId }) => ({ conversationId, messageId: editedMessageId }),
  'settings.generationDefaults': () => ({}),
  'settings.setGenerationDefaults': () => ({ settings: { topK: 40 } }),
  'inspect.tokenize': () => ({ text: 'Once upon a time' }),
  'telemetry.watch': () => ({ seconds: 2 }),
  'telemetry.recent': () => ({}),
  'dashboard.replies': () => ({ model: 'stories260K.gguf' }),
  'dashboard.exportCsv': () => ({ model: 'stories260K.gguf' }),
  'bench.run': () => ({ model: 'stories260K.gguf', promptTokens: 16, genTokens: 8, reps: 1, batch: [1, 2] }),
  'bench.list': () => ({}),
  'settings.history': () => ({}),
  'settings.setHistory': () => ({ settings: { searchThoughts: true } }),
  'settings.cost': () => ({}),
  'network.log': () => ({}),
  'apiServer.status': () => ({}),
  'apiServer.configure': () => ({ settings: { enabled: false, storeChats: false } }),
  'remotes.add': ({ remoteUrl }) => ({ name: 'Itself', baseUrl: remoteUrl }),
  'remotes.list': () => ({}),
  'remotes.refresh': ({ remoteId }) => ({ id: remoteId }),
  'remotes.remove': ({ remoteId }) => ({ id: remoteId }),
  'settings.network': () => ({}),
  'settings.setNetwork': () => ({ offline: false }),
  'settings.setCost': () => ({ settings: { watts: 150 } }),
  'inspect.nextTokens': () => ({ prompt: 'Once upon a time', top: 5, sample: { temperature: 0, topK: 40, topP: 0.95, minP: 0.05, seed: 1 } }),
  'history.search': () => ({ query: 'Lily' }),
  'conversations.export': ({ conversationId }) => ({ id: conversationId, format: 'json' }),
  'conversations.import': ({ exportedJson }) => ({ content: exportedJson }),
  'conversations.delete': ({ conversationId }) => ({ id: conversationId }),
  'conversations.restore': ({ conversationId }) => ({ id: conversationId }),
  'engine.unload': () => ({}),
  'downloads.list': () => ({}),
  'settings.hubToken': () => ({}),
  'settings.setHubToken': () => ({ token: 'hf_example_token' }),
  'models.reveal': () => ({ model: 'stories260K.gguf' }),
  'downloads.inspect': ({ inspectUrl }) => ({ source: inspectUrl }),
  'downloads.start': ({ downloadUrl }) => ({ source: downloadUrl }),
  'downloads.pause': ({ downloadId }) => ({ id: downloadId }),
  'downloads.resume': ({ downloadId }) => ({ id: downloadId }),
  'downloads.cancel': ({ downloadId }) => ({ id: downloadId }),
  'downloads.retry': ({ downloadId }) => ({ id: downloadId }),
  'updates.status': () => ({}),
  'updates.check': () => ({}),
  'updates.download': () => ({}),
  'updates.install': () => ({}),
  'updates.configure': () => ({ settings: { checkAtStartup: false } }),
  'hub.search': () => ({ query: 'tiny', sort: 'likes' }),
  'hub.files': () => ({ repo: 'org/tiny-GGUF', contextSize: 2048 }),
  'docs.add': () => ({ upload: { name: 'notes.md', base64: Buffer.from('# Notes\n\nThe parity word is quokka.').toString('base64') }, collection: 'Parity' }),
  'docs.list': () => ({}),
  'docs.search': () => ({ query: 'quokka' }),
  'docs.attach': ({ conversationId, documentId }) => ({ conversationId, documentIds: [documentId], collectionId: null }),
  'docs.attached': ({ conversationId }) => ({ conversationId }),
  'docs.passage': ({ documentId }) => ({ documentId, chunkId: null, page: null }),
  'docs.indexing': () => ({}),
  'docs.cancelIndexing': () => ({}),
  'docs.remove': ({ documentId }) => ({ id: documentId }),
  'collections.create': ({ importPath }) => ({ name: 'Parity folder', folder: dirname(importPath) }),
  'collections.list': () => ({}),
  'collections.rescan': ({ collectionId }) => ({ id: collectionId }),
  'collections.delete': ({ collectionId }) => ({ id: collectionId }),
  'settings.documents': () => ({}),
  'settings.setDocuments': () => ({ settings: { topChunks: 5 } })
};

/**
 * One payload per event, each marked with `sample` so the test can tell them from the app's own events:
 * the mapped type makes an event added to the contract without a sample a type error.
 */
const download = { id: 1, source: 's', url: 'u', fileName: 'f.gguf', totalBytes: 10, receivedBytes: 5, status: 'downloading', error: null, expectedSha256: null, sha256: null, retries: 0, segments: 1, parts: 1, note: null, bytesPerSecond: null, etaSeconds: null, createdAt: 1, updatedAt: 1 } as const;
const eventSamples: { [K in EventName]: Events[K] & { sample: K } } = {
  'chat.delta': { conversationId: 1, messageId: 2, segment: 'thought', delta: 'Once upon a time, 東京 🔥', outputTokens: 3, sample: 'chat.delta' },
  'chat.end': {
    conversationId: 1,
    message: { id: 2, conversationId: 1, role: 'assistant', content: 'x', thought: 'Let me see.', status: 'complete', error: null, createdAt: 1, updatedAt: 1, metrics: null, parentId: null, siblingIds: [2] },
    sample: 'chat.end'
  },
  'engine.status': { state: 'idle', model: null, error: null, generatingConversationId: null, sample: 'engine.status' },
  'conversations.changed': {
    conversation: { id: 1, title: 't', model: null, systemPrompt: '', settings: defaultGenerationSettings, chatTemplate: null, pinned: false, createdAt: 1, updatedAt: 1 },
    sample: 'conversations.changed'
  },
  'downloads.progress': { ...download, sample: 'downloads.progress' },
  'downloads.changed': { ...download, status: 'paused', sample: 'downloads.changed' },
  'telemetry.sample': { at: 1, cpuPercent: 12.5, memoryTotalBytes: 2, memoryFreeBytes: 1, appBytes: 1, gpus: [], sample: 'telemetry.sample' },
  'network.request': { id: 1, at: 1, purpose: 'download', method: 'GET', url: 'https://huggingface.co/x', status: 200, error: null, blocked: false, sample: 'network.request' },
  'bench.progress': { model: 'm.gguf', step: 'decode', done: 1, total: 2, sample: 'bench.progress' },
  'updates.changed': {
    currentVersion: '0.1.0',
    phase: 'downloading',
    message: null,
    available: { version: '0.2.0', releaseName: 'Hearth 0.2.0', releaseDate: '2026-01-02T03:04:05.000Z', releaseNotesUrl: 'https://github.com/hearth-app/hearth/releases/tag/v0.2.0' },
    progress: { percent: 12.5, transferredBytes: 1, totalBytes: 8, bytesPerSecond: 2 },
    checkedAt: 1,
    settings: { checkAtStartup: false },
    sample: 'updates.changed'
  },
  'docs.progress': { state: 'indexing', embeddingModel: 'e.gguf', files: { done: 1, total: 2 }, chunks: { done: 3, total: 9 }, chunksPerSecond: 1.5, tokensPerSecond: 60, secondsLeft: 4, error: null, sample: 'docs.progress' },
  'docs.changed': { collectionId: null, sample: 'docs.changed' }
};

/** Calls every method in a meaningful order over one transport; returns what each gave. */
async function exerciseEveryMethod(api: HearthTransport, replyEnded: () => Promise<unknown>, urls: { download: string; inspect: string; remote: string }, importPath: string) {
  const results = new Map<MethodName, unknown>();
  const context: Context = {
    conversationId: 0,
    exportedJson: '',
    downloadUrl: urls.download,
    downloadId: 0,
    importPath,
    importedName: '',
    inspectUrl: urls.inspect,
    userMessageId: 0,
    replyId: 0,
    editedMessageId: 0,
    remoteUrl: urls.remote,
    remoteId: 0,
    documentId: 0,
    collectionId: 0
  };
  const untilReplyEnds = async (start: () => Promise<unknown>) => {
    const ended = replyEnded();
    await start();
    await ended;
  };
  const call = async <K extends MethodName>(name: K) => {
    const result = await api.call(name, samples[name](context) as MethodInput<K>);
    results.set(name, result);
    return result;
  };
  await call('app.info');
  await call('models.list');
  context.importedName = (await call('models.import')).name;
  await call('models.delete');
  await call('engine.status');
  await call('hardware.probe');
  await call('catalog.recommend');
  await call('catalog.calculate');
  await call('catalog.estimate');
  await call('engine.load');
  context.conversationId = (await call('conversations.create')).id;
  await call('conversations.list');
  await call('conversations.update');
  await untilReplyEnds(async () => {
    const sent = await call('chat.send');
    context.userMessageId = sent.userMessage.id;
    context.replyId = sent.assistantMessage.id;
  });
  await call('chat.stop');
  await call('chat.context');
  await untilReplyEnds(() => call('chat.regenerate'));
  await call('messages.select');
  await untilReplyEnds(() => call('chat.continue'));
  await untilReplyEnds(async () => (context.editedMessageId = (await call('chat.edit')).userMessage.id));
  await call('messages.delete');
  await call('settings.generationDefaults');
  await call('settings.setGenerationDefaults');
  await call('inspect.tokenize');
  await call('inspect.nextTokens');
  await call('telemetry.watch');
  await call('telemetry.recent');
  await call('dashboard.replies');
  await call('dashboard.exportCsv');
  await call('settings.network');
  await call('settings.setNetwork');
  context.remoteId = (await call('remotes.add')).id;
  await call('remotes.list');
  await call('remotes.refresh');
  await call('remotes.remove');
  await call('network.log');
  await call('apiServer.configure');
  await call('apiServer.status');
  await call('settings.history');
  await call('settings.setHistory');
  await call('settings.cost');
  await call('settings.setCost');
  context.documentId = (await call('docs.add')).id;
  await call('docs.list');
  await call('docs.search');
  await call('docs.attach');
  await call('docs.attached');
  await call('docs.passage');
  await call('docs.indexing');
  await call('docs.cancelIndexing');
  await call('docs.remove');
  context.collectionId = (await call('collections.create')).id;
  await call('collections.list');
  await call('collections.rescan');
  await call('collections.delete');
  await call('settings.documents');
  await call('settings.setDocuments');
  await call('conversations.get');
  await call('history.search');
  context.exportedJson = (await call('conversations.export')).content;
  await call('conversations.import');
  await call('conversations.delete');
  await call('conversations.restore');
  await call('engine.unload');
  await call('bench.run');
  await call('bench.list');
  context.downloadId = (await call('downloads.start')).id;
  await call('downloads.list');
  await call('settings.hubToken');
  await call('hub.search');
  await call('hub.files');
  // Browser mode has no updater: a check answers why, and a download or an install is refused.
  await call('updates.status');
  await call('updates.check');
  await call('updates.configure');
  // Browser mode has no keychain, no file manager and no updater: both transports give the same typed refusal.
  for (const name of ['settings.setHubToken', 'models.reveal', 'updates.download', 'updates.install'] as const) {
    results.set(name, await api.call(name, samples[name](context) as never).then(() => 'accepted', (error: { code?: string }) => error.code));
  }
  await call('downloads.inspect');
  await call('downloads.pause');
  await call('downloads.resume');
  await call('downloads.cancel');
  await call('downloads.retry');
  await api.call('downloads.cancel', { id: context.downloadId });
  return results;
}

describe('every method works over both transports (IPC binding and HTTP binding)', () => {
  let t: TestHearth;
  let server: RunningServer;
  let slowServer: { url: string; close(): Promise<void> };
  let fileServer: FileServer;
  let openAi: RunningServer;
  beforeAll(async () => {
    t = await startTestHearth();
    server = await startHttpServer({ router: t.hearth.router, events: t.hearth.events, staticDir: null, token });
    openAi = await startOpenAiServer({ backend: t.hearth.openai, port: 0 });
    slowServer = await startTricklingServer();
    fileServer = await startFileServer({ 'files/stories.gguf': readFileSync(stories260K), 'org/tiny-GGUF/stories260K-F32.gguf': readFileSync(stories260K) });
    // The Hub is asked on every call, so pointing it here now reaches the Hearth already started.
    process.env.HEARTH_HF_ENDPOINT = fileServer.url;
  });
  afterAll(async () => {
    await server.close();
    await openAi.close();
    await slowServer.close();
    await fileServer.close();
    delete process.env.HEARTH_HF_ENDPOINT;
    await t.close();
  });

  /** Binds IPC to this Hearth, opens both renderer clients, runs `work`, and undoes it all. */
  async function withClients(work: (clients: ReturnType<typeof rendererClients>) => Promise<void>, waitForEvents = true): Promise<void> {
    const electron = fakeElectronIpc();
    const dispose = bindIpc({ ipcMain: electron.ipcMain, router: t.hearth.router, events: t.hearth.events, isAppUrl: createAppUrlPolicy(appUrl), eventTargets: () => [electron.webContents] });
    const clients = rendererClients(server.url, electron.ipcRenderer);
    try {
      if (waitForEvents) await clients.opened;
      await work(clients);
    } finally {
      clients.close();
      dispose();
    }
  }

  it('covers the whole contract with samples', () => {
    expect(Object.keys(samples).sort()).toEqual([...methodNames].sort());
  });

  it('gives the same results and events over IPC and HTTP, through the renderer\'s own clients', () =>
    withClients(async (clients) => {
      const inspect = `${fileServer.url}/files/stories.gguf`;
      const remote = `${openAi.url}/v1`;
      const overIpc = await exerciseEveryMethod(clients.ipc, () => t.nextEvent('chat.end'), { download: `${slowServer.url}/ipc.gguf`, inspect, remote }, tinyRandomLlama);
      const overHttp = await exerciseEveryMethod(clients.http, () => t.nextEvent('chat.end'), { download: `${slowServer.url}/http.gguf`, inspect, remote }, tinyRandomLlama);
      expect([...overIpc.keys()].sort()).toEqual([...methodNames].sort());
      expect([...overHttp.keys()].sort()).toEqual([...methodNames].sort());

      const withoutVolatile = (value: unknown) =>
        JSON.parse(JSON.stringify(value, (key, v) => (['id', 'conversationId', 'messageId', 'parentId', 'siblingIds', 'interTokenHistogram', 'createdAt', 'updatedAt', 'loadMs', 'measuredBytes', 'estimatedBytes'].includes(key) || /Ms$|PerSecond$/.test(key) ? undefined : v)));
      expect(overIpc.get('settings.setHubToken')).toBe('FORBIDDEN');
      expect(overHttp.get('models.reveal')).toBe('FORBIDDEN');
      expect([overIpc.get('updates.download'), overHttp.get('updates.install')]).toEqual(['FORBIDDEN', 'FORBIDDEN']);
      expect(overHttp.get('updates.check')).toMatchObject({ phase: 'unsupported', message: expect.stringContaining('desktop app') });
      // A file's fit depends on this machine's measurements, which the first client's loads have just added to.
      const filesOf = (results: Map<MethodName, unknown>) =>
        (results.get('hub.files') as HubRepositoryFiles).groups.map(({ quantization, files }) => ({ quantization, files: files.map(({ path, sizeBytes, parts, source }) => ({ path, sizeBytes, parts, source })) }));
      expect(filesOf(overHttp)).toEqual(filesOf(overIpc));
      for (const name of ['hub.search', 'app.info', 'models.list', 'engine.status', 'engine.load', 'conversations.create', 'conversations.get', 'engine.unload', 'settings.hubToken', 'settings.setHubToken', 'models.reveal', 'chat.context', 'messages.select', 'messages.delete', 'settings.generationDefaults', 'inspect.tokenize', 'inspect.nextTokens', 'settings.cost', 'updates.status', 'updates.check', 'updates.configure', 'collections.list', 'settings.setDocuments'] as const) {
        expect({ name, result: withoutVolatile(overHttp.get(name)) }).toEqual({ name, result: withoutVolatile(overIpc.get(name)) });
      }
      const exported = (results: Map<MethodName, unknown>) => withoutVolatile(JSON.parse((results.get('conversations.export') as { content: string }).content));
      expect(exported(overHttp)).toEqual(exported(overIpc));
      const namesOf = (events: AnyHearthEvent[]) => new Set(events.map((event) => event.name));
      expect(namesOf(clients.received.ipc)).toEqual(namesOf(clients.received.http));
      for (const name of ['engine.status', 'conversations.changed', 'chat.delta', 'chat.end', 'downloads.changed'] as const) expect(namesOf(clients.received.ipc)).toContain(name);
    }));

  it('delivers every event the contract declares, payload intact, to both clients', () =>
    withClients(async (clients) => {
      const sent = eventNames.map((name) => ({ name, payload: eventSamples[name] }) as AnyHearthEvent);
      for (const event of sent) t.hearth.events.emit(event.name, event.payload as never);
      const arrived = (events: AnyHearthEvent[]) => events.filter((event) => event.payload !== null && (event.payload as { sample?: unknown }).sample !== undefined);
      for (let waited = 0; arrived(clients.received.http).length < sent.length && waited < 5_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(arrived(clients.received.http)).toEqual(sent);
      expect(arrived(clients.received.ipc)).toEqual(sent);
    }));

  it('gives the same typed validation error over both', () =>
    withClients(async (clients) => {
      const bad = { id: 'not a number' } as unknown as MethodInput<'conversations.get'>;
      const overIpc = await clients.ipc.call('conversations.get', bad).catch((error: unknown) => error);
      const overHttp = await clients.http.call('conversations.get', bad).catch((error: unknown) => error);
      expect(overIpc).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'id' }] });
      expect(overHttp).toMatchObject({ code: 'VALIDATION', issues: [{ path: 'id' }] });
    }, false));
});
