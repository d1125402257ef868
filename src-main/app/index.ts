import { availableParallelism } from 'node:os';
import { createRouter, EventBus, type AppInfo, type Router } from '../api';
import { diskFree, HardwareService, llamaGpuReadings, systemSources, systemTelemetrySources, TelemetrySampler } from '../hardware';
import { DownloadManager, ensureDemoModel, hubOptionsFromEnv } from '../models';
import { History } from '../history';
import { Outbound } from '../network';
import { gpuFromEnv, InferenceEngine, threadsFromEnv } from '../inference';
import type { HearthPaths } from '../paths';
import { ChatService } from './chat';
import { LocalBackend, RemoteBackend } from './backends';
import { browserModeSecretsNote, hubTokenSecret, memorySecretStore, type DesktopCapabilities } from './desktop';
import { createHandlers } from './handlers';
import { ModelLoader } from './loader';
import { TokenInspector } from './inspect';
import { BenchmarkService } from './bench';
import { OpenAiService } from './openai';
import { RemoteEngines } from './remotes';
import { ApiServerController, type StartOpenAiServer } from './apiServer';
import { recordApiChat } from './openai';
import { UpdateService } from './updates';
import { HubService } from './hub';
import { DocumentService } from './documents';
import packageJson from '../../package.json' with { type: 'json' };

export { LocalBackend } from './backends';
export type { DocumentService, RescannedCollection } from './documents';
export { FileModels } from './fileModels';
export { streamingWriteIntervalMs } from './replyStream';
export { defaultRecommendContext } from './handlers';
export { benchmarkFile } from './bench';
export { historyRemedies } from './historyRemedies';
export { browserToken } from './browserToken';
export { keepServingOnUnexpectedErrors } from './lastResort';
export { memorySecretStore, type DesktopUpdater, type OutboundGate, type ReleaseInfo, type SecretStore } from './desktop';
export { updateFeed } from './updatePolicy';
export type { ApiReply, ApiStream, ApiToolCall, GenerationJob, OpenAiBackend } from './openai';
export type { TokenLogprob, ToolSpec, Turn } from '../inference';

export interface Hearth {
  router: Router;
  events: EventBus;
  info: AppInfo;
  history: History;
  engine: InferenceEngine;
  loader: ModelLoader;
  downloads: DownloadManager;
  /** What the OpenAI-compatible server (`hearth serve --api`) serves from. */
  openai: OpenAiService;
  /** The one door to the network (downloads, Hub, remote engines). */
  outbound: Outbound;
  apiServer: ApiServerController;
  /** The user's documents: reading, collections, indexing, search. */
  documents: DocumentService;
  close(): Promise<void>;
}

export interface HearthOptions {
  /** What only the desktop app can do (the OS keychain, the file manager); null in browser mode and the CLI. */
  desktop?: DesktopCapabilities | null;
  /** Parallel slots for the OpenAI API (extra context sequences); 0 serves its requests one at a time. */
  apiSlots?: number;
  /** Requests the OpenAI API lets wait beyond those running (`--api-queue`); by default the API server's setting. */
  apiQueue?: number;
  /** Starts the OpenAI-compatible server when its settings ask for it; absent in one-shot CLI commands. */
  startOpenAiServer?: StartOpenAiServer;
}

/** `HEARTH_DOWNLOAD_SEGMENT_MIB`: the smallest parallel segment of a download, in MiB (64 by default). */
function segmentBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const mib = Number(env.HEARTH_DOWNLOAD_SEGMENT_MIB);
  return Number.isInteger(mib) && mib >= 1 ? mib * 1024 * 1024 : undefined;
}

/** Opens the history, recovers what a crash left behind, and wires every service to the one router. */
export async function createHearth(paths: HearthPaths, options: HearthOptions = {}): Promise<Hearth> {
  const desktop = options.desktop ?? null;
  const secrets = desktop?.secrets ?? memorySecretStore(browserModeSecretsNote);
  const events = new EventBus();
  const history = History.open(paths.databaseFile);
  // A first run with an empty models folder gets the built-in demo model, so it can chat offline at once.
  await ensureDemoModel(paths.modelsDir);
  // Trashed conversations last until the app closes (the undo window); what a crash left streaming is marked.
  history.conversations.purgeTrash(Date.now() + 1);
  history.messages.markInterrupted();
  const engine = new InferenceEngine({
    threads: threadsFromEnv(),
    gpu: gpuFromEnv(),
    parallelSlots: options.apiSlots ?? 0,
    onStatus: (status) => events.emit('engine.status', status)
  });
  const hardware = new HardwareService(systemSources(() => engine.llama()), paths.modelsDir);
  const loader = new ModelLoader(engine, hardware, history.measurements, paths.modelsDir);
  const outbound = new Outbound({
    offline: () => history.preferences.network().offline,
    onRecord: (record) => events.emit('network.request', { ...record })
  });
  const remotes = new RemoteEngines(history, outbound, secrets);
  const documents = new DocumentService(history, engine, paths.modelsDir, events);
  const chat = new ChatService(history, engine, { local: new LocalBackend(engine, loader, 'chat'), remote: new RemoteBackend(history, remotes, outbound) }, events, documents);
  const info: AppInfo = {
    name: 'Hearth',
    version: packageJson.version,
    dataDir: paths.dataDir,
    modelsDir: paths.modelsDir,
    platform: `${process.platform}-${process.arch}`,
    cpuThreads: availableParallelism(),
    secrets: secrets.storage
  };
  const hub = () => hubOptionsFromEnv(process.env, secrets.get(hubTokenSecret));
  const downloads = new DownloadManager({
    modelsDir: paths.modelsDir,
    outbound,
    store: history.downloads,
    hub,
    diskFree: (path) => diskFree(path).catch(() => null),
    minimumSegmentBytes: segmentBytesFromEnv(),
    onProgress: (download) => events.emit('downloads.progress', download),
    onChange: (download) => events.emit('downloads.changed', download)
  });
  downloads.resumeInterrupted();
  const inspector = new TokenInspector(engine);
  const telemetry = new TelemetrySampler(systemTelemetrySources(llamaGpuReadings(() => engine.llama())), {
    onSample: (sample) => events.emit('telemetry.sample', sample)
  });
  // Replies are sampled whether or not the dashboard is open, so their memory and CPU can be looked at later.
  events.subscribe((event) => {
    if (event.name === 'engine.status') telemetry.setBusy(engine.activeRuns > 0);
  });
  const bench = new BenchmarkService(engine, hardware, history, events, paths.modelsDir);
  const hubSearch = new HubService({ hub, outbound, downloads, hardware, history, bench });
  const openai = new OpenAiService(engine, new LocalBackend(engine, loader, 'api'), paths.modelsDir, {
    queueLimit: () => options.apiQueue ?? history.preferences.apiServer().queueLimit,
    onFinished: (job, reply) => recordApiChat(history, job, reply)
  });
  const apiServer = new ApiServerController(history, openai, secrets, options.startOpenAiServer ?? null);
  const updates = new UpdateService({
    currentVersion: packageJson.version,
    updater: desktop?.updater?.({ permit: (url, method) => outbound.track('update', url, method) }) ?? null,
    offline: () => history.preferences.network().offline,
    settings: { read: () => history.preferences.updates(), write: (changes) => history.preferences.setUpdates(changes) },
    onChange: (status) => events.emit('updates.changed', status)
  });
  updates.startupCheck();
  // What a restart or a cancel left unindexed is picked up at once.
  documents.indexer.start();
  const router = createRouter(
    createHandlers({ info, modelsDir: paths.modelsDir, history, engine, chat, hardware, loader, downloads, desktop, secrets, inspector, telemetry, bench, outbound, remotes, apiServer, updates, hub: hubSearch, documents })
  );
  let closing: Promise<void> | null = null;
  return {
    router,
    events,
    info,
    history,
    engine,
    loader,
    downloads,
    openai,
    outbound,
    apiServer,
    documents,
    close() {
      closing ??= (async () => {
        telemetry.stop();
        await apiServer.stop();
        await downloads.stopAll();
        await chat.shutdown();
        await documents.close();
        await engine.dispose();
        history.conversations.purgeTrash(Date.now() + 1);
        history.close();
      })();
      return closing;
    }
  };
}
