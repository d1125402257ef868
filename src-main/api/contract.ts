/**
 * The one API contract. Every method and event that crosses a process boundary is listed here;
 * the Electron IPC binding, the HTTP/SSE binding and the renderer's client are derived from it.
 * This module must stay free of Node and DOM imports: the renderer and the preload bundle it too.
 */
import { z } from 'zod';
import {
  kvCacheTypeNames,
  recommendPriorities,
  generationSettingsSchema,
  memoryCalculationInputSchema,
  modelRefSchema,
  type AppInfo,
  type ApiServerStatus,
  apiServerSettingsSchema,
  type RemoteEngine,
  type NetworkSettings,
  type OutboundRecord,
  type BenchmarkResult,
  type CostSettings,
  type ReplyRecord,
  type TelemetrySample,
  costSettingsSchema,
  historySettingsSchema,
  type HistorySettings,
  type ReplySegment,
  replyFiltersSchema,
  type ContextReport,
  type GenerationSettings,
  type NextTokensResult,
  type TokenizeResult,
  type Conversation,
  type ConversationWithMessages,
  type Download,
  type EngineStatus,
  type ExportedFile,
  type FitReport,
  type HardwareReport,
  type HubTokenStatus,
  type MemoryCalculation,
  type Message,
  type ModelFile,
  type RecommendResult,
  type SearchHit,
  type UpdateStatus, updateSettingsSchema
} from './shapes';
import { hubMethods } from './hub';
import { method } from './method';
import { documentEvents, documentMethods } from './documents';

export * from './shapes';
export * from './documents';

const id = z.number().int().positive();

const empty = z.strictObject({});
const byId = z.strictObject({ id });

const partialSettings = generationSettingsSchema.partial();

export const methods = {
  // Finding GGUF files on the Hugging Face Hub (hub.ts).
  ...hubMethods,
  'app.info': method<AppInfo>()(empty),
  'models.list': method<ModelFile[]>()(empty),
  /** Copies (or links) a GGUF from anywhere into the models folder, after checking it. */
  'models.import': method<ModelFile>()(z.strictObject({ path: z.string().min(1).max(4096), link: z.boolean().optional() })),
  /** Deletes a model from the models folder (the UI confirms first). */
  'models.delete': method<{ model: string; freedBytes: number }>()(z.strictObject({ model: modelRefSchema })),
  'engine.status': method<EngineStatus>()(empty),
  /** Loads a model from the models folder, by its name there (see `models.list`). */
  'engine.load': method<EngineStatus>()(
    z.strictObject({
      model: modelRefSchema,
      contextSize: z.number().int().min(256).max(1_048_576).optional(),
      gpuLayers: z.number().int().min(0).max(1000).optional(),
      /** Load even when the estimate says it will not fit. */
      force: z.boolean().optional()
    })
  ),
  'engine.unload': method<EngineStatus>()(empty),
  /** What this machine has, from the OS and from llama.cpp; `refresh` probes again instead of the cached report. */
  'hardware.probe': method<HardwareReport>()(z.strictObject({ refresh: z.boolean().optional() })),
  /** Ranks the catalog for this machine: per model the best quantization that fits, with its reason. */
  'catalog.recommend': method<RecommendResult>()(
    z.strictObject({
      contextSize: z.number().int().min(256).max(1_048_576).optional(),
      kvCacheType: z.enum(kvCacheTypeNames).optional(),
      priority: z.enum(recommendPriorities).optional(),
      /** The usable-speed floor in tokens per second; `defaultMinTokensPerSecond` when absent, 0 flags nothing. */
      minTokensPerSecond: z.number().min(0).max(10_000).optional()
    })
  ),
  /** The memory calculator: a model that is not in the catalog, from its parameter count and precision. */
  'catalog.calculate': method<MemoryCalculation>()(memoryCalculationInputSchema),
  /** What-if: one catalog file, or an installed model, at a given context, KV cache type and GPU layers. */
  'catalog.estimate': method<FitReport>()(
    z.strictObject({
      source: z.union([
        z.strictObject({ modelId: z.string().min(1), quantization: z.string().min(1) }),
        z.strictObject({ installed: z.string().min(1).max(4096) })
      ]),
      contextSize: z.number().int().min(256).max(1_048_576),
      kvCacheType: z.enum(kvCacheTypeNames).optional(),
      gpuLayers: z.number().int().min(0).max(1000).optional()
    })
  ),
  'conversations.list': method<Conversation[]>()(empty),
  'conversations.create': method<Conversation>()(
    z.strictObject({
      title: z.string().trim().min(1).max(500).optional(),
      model: modelRefSchema.nullable().optional(),
      systemPrompt: z.string().max(100_000).optional(),
      settings: partialSettings.optional()
    })
  ),
  'conversations.get': method<ConversationWithMessages>()(byId),
  'conversations.update': method<Conversation>()(
    z.strictObject({
      id,
      title: z.string().trim().min(1).max(500).optional(),
      model: modelRefSchema.nullable().optional(),
      systemPrompt: z.string().max(100_000).optional(),
      settings: partialSettings.optional(),
      pinned: z.boolean().optional()
    })
  ),
  /** Moves a conversation to the trash; `conversations.restore` undoes it. */
  'conversations.delete': method<{ id: number }>()(byId),
  'conversations.restore': method<Conversation>()(byId),
  'conversations.export': method<ExportedFile>()(z.strictObject({ id, format: z.enum(['markdown', 'json']) })),
  'conversations.import': method<Conversation>()(z.strictObject({ content: z.string().min(1).max(50_000_000) })),
  'history.search': method<SearchHit[]>()(
    z.strictObject({ query: z.string().trim().min(1).max(500), limit: z.number().int().min(1).max(200).optional() })
  ),
  /** Stores the user's message and starts the reply; the reply arrives as `chat.delta` events, then `chat.end`. */
  'chat.send': method<{ userMessage: Message; assistantMessage: Message }>()(
    z.strictObject({ conversationId: id, content: z.string().min(1).max(1_000_000) })
  ),
  /** A new reply to the same message, kept beside the earlier ones (navigable as alternatives). */
  'chat.regenerate': method<{ assistantMessage: Message }>()(z.strictObject({ conversationId: id, messageId: id })),
  /** Sends an edited copy of a user message as a new branch; the old branch is kept. */
  'chat.edit': method<{ userMessage: Message; assistantMessage: Message }>()(
    z.strictObject({ conversationId: id, messageId: id, content: z.string().min(1).max(1_000_000) })
  ),
  /** Carries on a reply that stopped (at max tokens, a stop, or an interruption) in the same message. */
  'chat.continue': method<{ assistantMessage: Message }>()(z.strictObject({ conversationId: id, messageId: id })),
  /** The conversation's prompt on the loaded model: token count against the context, and the exact prompt text. */
  'chat.context': method<ContextReport>()(z.strictObject({ conversationId: id, draft: z.string().max(1_000_000).optional() })),
  /** Shows another branch: the one through this message (its latest continuation). */
  'messages.select': method<ConversationWithMessages>()(z.strictObject({ conversationId: id, messageId: id })),
  /** Deletes a message and everything after it on its branch; other branches stay. */
  'messages.delete': method<ConversationWithMessages>()(z.strictObject({ conversationId: id, messageId: id })),
  'chat.stop': method<{ stopped: boolean }>()(z.strictObject({ conversationId: id })),
  'downloads.list': method<Download[]>()(empty),
  /** The live samples kept so far (about the last ten minutes, one per second while sampling). */
  'telemetry.recent': method<TelemetrySample[]>()(empty),
  /** Keeps the sampler running for `seconds` more (the dashboard renews it while open); replies keep it running too. */
  'telemetry.watch': method<{ until: number }>()(z.strictObject({ seconds: z.number().int().min(1).max(300) })),
  /** Stored replies with their figures: the newest `limit` (10,000 by default), oldest first. */
  'dashboard.replies': method<ReplyRecord[]>()(replyFiltersSchema),
  'dashboard.exportCsv': method<ExportedFile>()(replyFiltersSchema),
  /** Measures load, prefill and decode (alone and in parallel) on an installed model; progress arrives as `bench.progress`. */
  'bench.run': method<BenchmarkResult>()(
    z.strictObject({
      model: modelRefSchema,
      promptTokens: z.number().int().min(1).max(16_384).optional(),
      genTokens: z.number().int().min(2).max(4096).optional(),
      reps: z.number().int().min(1).max(50).optional(),
      batch: z.array(z.number().int().min(1).max(16)).min(1).max(6).optional()
    })
  ),
  'bench.list': method<BenchmarkResult[]>()(empty),
  /** OpenAI-compatible servers whose models appear in the model picker beside the local ones. */
  'remotes.list': method<RemoteEngine[]>()(empty),
  /** Adds an engine after listing its models (which also checks the URL and the key). */
  'remotes.add': method<RemoteEngine>()(
    z.strictObject({
      name: z.string().trim().min(1).max(100),
      baseUrl: z.url({ protocol: /^https?$/, error: 'The base URL must be an http(s) URL, e.g. http://gpu-box:8000/v1.' }).max(2048),
      apiKey: z.string().trim().min(1).max(512).optional()
    })
  ),
  'remotes.refresh': method<RemoteEngine>()(byId),
  'remotes.remove': method<{ id: number }>()(byId),
  'apiServer.status': method<ApiServerStatus>()(empty),
  /** Changes the OpenAI API's settings and starts, restarts or stops it to match; `apiKey` null removes the key. */
  'apiServer.configure': method<ApiServerStatus>()(
    z.strictObject({ settings: apiServerSettingsSchema.partial(), apiKey: z.string().trim().min(8).max(512).nullable().optional() })
  ),
  /** Every request Hearth made beyond this machine, newest first (Settings → Network). */
  'network.log': method<OutboundRecord[]>()(empty),
  'settings.network': method<NetworkSettings>()(empty),
  'settings.setNetwork': method<NetworkSettings>()(z.strictObject({ offline: z.boolean() })),
  'settings.history': method<HistorySettings>()(empty),
  'settings.setHistory': method<HistorySettings>()(z.strictObject({ settings: historySettingsSchema.partial() })),
  'settings.cost': method<CostSettings>()(empty),
  'settings.setCost': method<CostSettings>()(z.strictObject({ settings: costSettingsSchema.partial() })),
  /** The settings new conversations start with. */
  'settings.generationDefaults': method<GenerationSettings>()(empty),
  'settings.setGenerationDefaults': method<GenerationSettings>()(z.strictObject({ settings: partialSettings })),
  /** Splits text into the loaded model's tokens. */
  'inspect.tokenize': method<TokenizeResult>()(z.strictObject({ text: z.string().max(200_000) })),
  /** The loaded model's most likely next tokens after `prompt` (plain text); optionally samples one with `sample`. */
  'inspect.nextTokens': method<NextTokensResult>()(
    z.strictObject({
      prompt: z.string().max(200_000),
      top: z.number().int().min(1).max(200).optional(),
      sample: generationSettingsSchema.pick({ temperature: true, topK: true, topP: true, minP: true, seed: true }).optional()
    })
  ),
  /** Whether a Hugging Face token is set (never the token itself) and where it comes from. */
  'settings.hubToken': method<HubTokenStatus>()(empty),
  /** Stores (or with null forgets) the token for gated models: desktop only, encrypted by the OS keychain. */
  'settings.setHubToken': method<HubTokenStatus>()(z.strictObject({ token: z.string().trim().min(8).max(512).nullable() })),
  /** Shows a model file in the system file manager (desktop only). */
  'models.reveal': method<{ revealed: boolean }>()(z.strictObject({ model: modelRefSchema })),
  /** Before committing: reads the remote file's GGUF header with range requests and fits it on this machine. */
  'downloads.inspect': method<{ fileName: string; sizeBytes: number | null; fit: FitReport }>()(
    z.strictObject({ source: z.string().trim().min(3).max(2048), contextSize: z.number().int().min(256).max(1_048_576).optional() })
  ),
  /** Checks the source and the disk, then queues it (every part of a split model; a source already queued resumes); `fileName` saves it under another name. */
  'downloads.start': method<Download>()(z.strictObject({ source: z.string().trim().min(3).max(2048), fileName: z.string().trim().min(6).max(255).optional() })),
  'downloads.pause': method<Download>()(byId),
  'downloads.resume': method<Download>()(byId),
  /** Stops the download and deletes its partial file. */
  'downloads.cancel': method<Download>()(byId),
  'downloads.retry': method<Download>()(byId),
  // Updating the installed desktop app; each answers where it stands (browser mode and a run from source: why it does not apply).
  'updates.status': method<UpdateStatus>()(empty),
  /** Asks the release feed for a newer version (refused while offline); never downloads. */
  'updates.check': method<UpdateStatus>()(empty),
  /** On the user's click: download the version found (progress as `updates.changed`); install it, quitting Hearth. */
  'updates.download': method<UpdateStatus>()(empty),
  'updates.install': method<UpdateStatus>()(empty),
  'updates.configure': method<UpdateStatus>()(z.strictObject({ settings: updateSettingsSchema.partial() })),
  // Documents, collections and what conversations read from them (documents.ts).
  ...documentMethods
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<K extends MethodName> = z.input<Methods[K]['input']>;
export type ParsedInput<K extends MethodName> = z.output<Methods[K]['input']>;
export type MethodOutput<K extends MethodName> = Methods[K]['output'];
export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

/** An event: what its payload is, carried as a phantom type like a method's output. */
interface EventSpec<P> {
  payload: P;
}
function event<P>(): EventSpec<P> {
  return { payload: undefined as P };
}

/** Every event the main process pushes to the renderer; each transport forwards exactly these names. */
export const events = {
  /** New text of a streaming reply, of one segment (its thinking or its answer): only what was added since the previous event. */
  'chat.delta': event<{ conversationId: number; messageId: number; segment: ReplySegment; delta: string; outputTokens: number }>(),
  /** The reply has finished (complete, stopped, or failed); carries the stored message with its metrics. */
  'chat.end': event<{ conversationId: number; message: Message }>(),
  'engine.status': event<EngineStatus>(),
  /** A conversation's title, model, template or branch on show changed: the new record, for the list to upsert. */
  'conversations.changed': event<{ conversation: Conversation }>(),
  /** A download's figures, at most a few times a second. */
  'downloads.progress': event<Download>(),
  /** A download started, paused, finished or failed. */
  'downloads.changed': event<Download>(),
  'telemetry.sample': event<TelemetrySample>(),
  /** An outbound request was made, refused, or answered. */
  'network.request': event<OutboundRecord>(),
  /** A running benchmark's step, e.g. "decode, 2 sequences, repetition 3 of 5". */
  'bench.progress': event<{ model: string; step: string; done: number; total: number }>(),
  /** Updating moved on: a check's answer, a download's progress (about once a second), a failure. */
  'updates.changed': event<UpdateStatus>(),
  ...documentEvents
};
export type EventName = keyof typeof events;
export type Events = { [K in EventName]: (typeof events)[K]['payload'] };
export const eventNames = Object.keys(events) as EventName[];

export interface HearthEvent<K extends EventName = EventName> {
  name: K;
  payload: Events[K];
}
export type AnyHearthEvent = { [K in EventName]: HearthEvent<K> }[EventName];

/** What the preload exposes on `window.hearth`, and what the HTTP client implements too. */
export interface HearthTransport {
  call<K extends MethodName>(name: K, input: MethodInput<K>): Promise<MethodOutput<K>>;
  onEvent(listener: (event: AnyHearthEvent) => void): () => void;
}
