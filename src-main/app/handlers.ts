import { ApiError, defaultMinTokensPerSecond, type AppInfo, type Handlers, type HubTokenStatus, type Recommendation } from '../api';
import { builtInCatalog, calculateMemory, fitReport, geometryFromCatalog, geometryFromGguf, recommend } from '../catalog';
import { defaultContextSize, type InferenceEngine } from '../inference';
import type { HardwareService, TelemetrySampler } from '../hardware';
import type { History } from '../history';
import type { Outbound } from '../network';
import type { RemoteEngines } from './remotes';
import type { ApiServerController } from './apiServer';
import type { UpdateService } from './updates';
import type { HubService } from './hub';
import { deleteModel, importModel, listModels, resolveModelFile, type DownloadManager } from '../models';
import { hubTokenSecret, type DesktopCapabilities, type SecretStore } from './desktop';
import type { ChatService } from './chat';
import type { TokenInspector } from './inspect';
import type { BenchmarkService } from './bench';
import type { DocumentService } from './documents';
import { documentHandlers } from './documentHandlers';
import { deviceKey, type ModelLoader } from './loader';

export interface Services {
  info: AppInfo;
  modelsDir: string;
  history: History;
  engine: InferenceEngine;
  chat: ChatService;
  hardware: HardwareService;
  loader: ModelLoader;
  downloads: DownloadManager;
  desktop: DesktopCapabilities | null;
  secrets: SecretStore;
  inspector: TokenInspector;
  telemetry: TelemetrySampler;
  bench: BenchmarkService;
  outbound: Outbound;
  remotes: RemoteEngines;
  apiServer: ApiServerController;
  updates: UpdateService;
  hub: HubService;
  documents: DocumentService;
}

export const defaultRecommendContext = 8192;

export const remoteEngineAdvice =
  'Nothing in the catalog fits this machine at this context. Run the model on a bigger machine with an OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio or another Hearth) and add it under Settings → Remote engines: its models then appear in the model picker.';

/** When no local configuration fits, the way out is a remote engine. */
export function remoteSuggestionFor(recommendations: Recommendation[]): string | null {
  return recommendations.every((recommendation) => recommendation.fit.fitClass === 'too-large') ? remoteEngineAdvice : null;
}

/** Every method of the contract, bound to the services; the type makes a missing method a compile error. */
export function createHandlers({ info, modelsDir, history, engine, chat, hardware, loader, downloads, desktop, secrets, inspector, telemetry, bench, outbound, remotes, apiServer, updates, hub, documents }: Services): Handlers {
  const hubTokenStatus = (): HubTokenStatus => {
    const fromEnvironment = Boolean(process.env.HF_TOKEN || process.env.HEARTH_HF_TOKEN);
    const stored = secrets.get(hubTokenSecret) !== null;
    const storedIn = secrets.storage.kind === 'keychain' ? 'secure storage' : 'memory';
    return { configured: fromEnvironment || stored, source: fromEnvironment ? 'environment' : stored ? storedIn : null, canStore: desktop !== null, keychain: secrets.storage.kind === 'keychain' };
  };
  const catalog = builtInCatalog();
  return {
    'app.info': () => info,
    'hub.search': ({ query, sort = 'downloads', limit = 30 }) => hub.search(query, sort, limit),
    'hub.files': ({ repo, contextSize = defaultRecommendContext }) => hub.files(repo, contextSize),
    'models.list': () => listModels(modelsDir),
    'models.import': ({ path, link }) => importModel(modelsDir, path, { link }),
    'models.delete': async ({ model }) => {
      if (engine.status().model?.name === model) await engine.unload();
      const { name, freedBytes } = await deleteModel(modelsDir, model);
      return { model: name, freedBytes };
    },
    'engine.status': () => engine.status(),
    'engine.load': (request) => loader.load(request),
    'engine.unload': () => engine.unload(),
    'hardware.probe': ({ refresh }) => hardware.report(refresh),
    'catalog.recommend': async ({ contextSize = defaultRecommendContext, kvCacheType = 'f16', priority = 'balanced', minTokensPerSecond = defaultMinTokensPerSecond }) => {
      const report = await hardware.report(true);
      const device = deviceKey(report);
      const correction = history.measurements.correction(device);
      const recommendations = recommend(catalog, report, { contextSize, kvCacheType, priority, correction, minTokensPerSecond, ...bench.measuredOn(device) });
      return { hardware: report, contextSize, priority, minTokensPerSecond, recommendations, remoteSuggestion: remoteSuggestionFor(recommendations) };
    },
    'catalog.calculate': async (input) => calculateMemory(input, await hardware.report()),
    'catalog.estimate': async ({ source, contextSize, kvCacheType = 'f16', gpuLayers }) => {
      const report = await hardware.report();
      const cpuBandwidthGbPerSecond = bench.measuredOn(deviceKey(report)).cpu.gbPerSecond;
      if ('installed' in source) return loader.estimateInstalled(source.installed, contextSize, kvCacheType, gpuLayers, cpuBandwidthGbPerSecond);
      const model = catalog.models.find((entry) => entry.id === source.modelId);
      const file = model?.files.find((entry) => entry.quantization === source.quantization);
      if (!model || !file) throw new ApiError('NOT_FOUND', `The catalog has no ${source.quantization} file of "${source.modelId}".`);
      return fitReport(`${model.name} ${file.quantization}`, geometryFromCatalog(catalog, model, file), report, {
        contextSize,
        kvCacheType,
        gpuLayers,
        correction: history.measurements.correction(deviceKey(report)),
        cpuBandwidthGbPerSecond
      }).report;
    },
    'conversations.list': () => history.conversations.list(),
    'conversations.create': ({ settings, ...input }) => history.conversations.create({ ...input, settings: { ...history.preferences.generationDefaults(), ...settings } }),
    'conversations.get': ({ id }) => chat.conversation(id),
    'conversations.update': ({ id, ...changes }) => history.conversations.update(id, changes),
    'conversations.delete': ({ id }) => {
      // A reply in progress stops (what it wrote stays, for Undo); one still loading its model writes nothing.
      chat.stop(id);
      history.conversations.trash(id);
      return { id };
    },
    'conversations.restore': ({ id }) => history.conversations.restore(id),
    'conversations.export': ({ id, format }) => history.export(id, format),
    'conversations.import': ({ content }) => history.import(content),
    'history.search': ({ query, limit }) => history.search(query, limit),
    'chat.send': ({ conversationId, content }) => chat.send(conversationId, content),
    'chat.regenerate': ({ conversationId, messageId }) => chat.regenerate(conversationId, messageId),
    'chat.edit': ({ conversationId, messageId, content }) => chat.edit(conversationId, messageId, content),
    'chat.continue': ({ conversationId, messageId }) => chat.continue(conversationId, messageId),
    'chat.context': ({ conversationId, draft }) => chat.context(conversationId, draft),
    'messages.select': ({ conversationId, messageId }) => chat.selectBranch(conversationId, messageId),
    'messages.delete': ({ conversationId, messageId }) => chat.deleteMessage(conversationId, messageId),
    'chat.stop': ({ conversationId }) => ({ stopped: chat.stop(conversationId) }),
    'downloads.list': () => downloads.list(),
    'settings.generationDefaults': () => history.preferences.generationDefaults(),
    'settings.setGenerationDefaults': ({ settings }) => history.preferences.setGenerationDefaults(settings),
    'inspect.tokenize': ({ text }) => inspector.tokenize(text),
    'inspect.nextTokens': ({ prompt, top = 20, sample }) => inspector.nextTokens(prompt, top, sample),
    'telemetry.recent': () => telemetry.recent(),
    'telemetry.watch': ({ seconds }) => ({ until: telemetry.watch(seconds * 1000) }),
    'dashboard.replies': (filters) => history.replies.list(filters),
    'dashboard.exportCsv': (filters) => history.exportReplies(filters),
    'bench.run': (request) => bench.run(request),
    'bench.list': () => bench.list(),
    'apiServer.status': () => apiServer.status(),
    'apiServer.configure': ({ settings, apiKey }) => apiServer.configure(settings, apiKey),
    'remotes.list': () => remotes.list(),
    'remotes.add': ({ name, baseUrl, apiKey }) => remotes.add(name, baseUrl, apiKey),
    'remotes.refresh': ({ id }) => remotes.refresh(id),
    'remotes.remove': ({ id }) => remotes.remove(id),
    'network.log': () => outbound.log(),
    'settings.network': () => history.preferences.network(),
    'settings.setNetwork': (settings) => history.preferences.setNetwork(settings),
    'settings.history': () => history.preferences.history(),
    'settings.setHistory': ({ settings }) => history.preferences.setHistory(settings),
    'settings.cost': () => history.preferences.cost(),
    'settings.setCost': ({ settings }) => history.preferences.setCost(settings),
    'settings.hubToken': () => hubTokenStatus(),
    'settings.setHubToken': ({ token }) => {
      if (!desktop) throw new ApiError('FORBIDDEN', 'Only the desktop app can store a token. In browser mode set HF_TOKEN in the environment before starting Hearth.');
      secrets.set(hubTokenSecret, token);
      return hubTokenStatus();
    },
    'models.reveal': async ({ model }) => {
      if (!desktop) throw new ApiError('FORBIDDEN', 'Showing a file in the file manager works in the desktop app only.');
      desktop.revealInFolder(await resolveModelFile(modelsDir, model));
      return { revealed: true };
    },
    'downloads.inspect': async ({ source, contextSize }) => {
      const { fileName, sizeBytes, info } = await downloads.inspect(source);
      const geometry = geometryFromGguf(info);
      const report = await hardware.report(true);
      const context = contextSize ?? defaultContextSize(geometry.contextLength || 2048);
      const { report: fit } = fitReport(fileName, geometry, report, { contextSize: context, kvCacheType: 'f16', correction: history.measurements.correction(deviceKey(report)) });
      return { fileName, sizeBytes, fit };
    },
    'downloads.start': ({ source, fileName }) => downloads.start(source, { fileName }),
    'downloads.pause': ({ id }) => downloads.pause(id),
    'downloads.resume': ({ id }) => downloads.resume(id),
    'downloads.cancel': ({ id }) => downloads.cancel(id),
    'downloads.retry': ({ id }) => downloads.retry(id),
    'updates.status': () => updates.status(),
    'updates.check': () => updates.check(),
    'updates.download': () => updates.download(),
    'updates.install': () => updates.install(),
    'updates.configure': ({ settings }) => updates.configure(settings),
    ...documentHandlers(documents, history)
  };
}
