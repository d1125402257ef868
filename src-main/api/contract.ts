/**
 * The one API contract. Every method and event that crosses a process boundary is listed here;
 * the Electron IPC binding, the HTTP/SSE binding and the renderer's client are derived from it.
 * This module must stay free of Node and DOM imports: the renderer and the preload bundle it too.
 */
import { z } from 'zod';

const id = z.number().int().positive();

export const samplingSettingsSchema = z.strictObject({
  temperature: z.number().min(0).max(2),
  topK: z.number().int().min(0).max(1000),
  topP: z.number().gt(0).max(1),
  minP: z.number().min(0).max(1),
  repeatPenalty: z.number().min(1).max(2),
  maxTokens: z.number().int().min(1).max(131072),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullable()
});
export type SamplingSettings = z.infer<typeof samplingSettingsSchema>;

export const defaultSamplingSettings: SamplingSettings = {
  temperature: 0.7,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1,
  maxTokens: 1024,
  seed: null
};

export type MessageRole = 'system' | 'user' | 'assistant';
export type MessageStatus = 'complete' | 'streaming' | 'interrupted' | 'error';

export const stopReasons = ['eos', 'maxTokens', 'abort', 'error'] as const;

export const messageMetricsSchema = z.object({
  modelFile: z.string(),
  quantization: z.string().nullable(),
  chatTemplate: z.string(),
  promptTokens: z.number().int().min(0),
  /** Prompt tokens actually evaluated for this reply (the rest came from the context cache). */
  prefillTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  ttftMs: z.number().min(0).nullable(),
  prefillTokensPerSecond: z.number().min(0).nullable(),
  decodeTokensPerSecond: z.number().min(0).nullable(),
  totalMs: z.number().min(0),
  stopReason: z.enum(stopReasons),
  sampling: samplingSettingsSchema,
  threads: z.number().int().min(0)
});
export type MessageMetrics = z.infer<typeof messageMetricsSchema>;
export type StopReason = (typeof stopReasons)[number];

export interface Message {
  id: number;
  conversationId: number;
  role: MessageRole;
  content: string;
  status: MessageStatus;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  metrics: MessageMetrics | null;
}

export interface Conversation {
  id: number;
  title: string;
  modelPath: string | null;
  systemPrompt: string;
  settings: SamplingSettings;
  /** The prompt format used for the last reply: a chat wrapper's name, or "none (base model)". */
  chatTemplate: string | null;
  pinned: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ConversationWithMessages {
  conversation: Conversation;
  messages: Message[];
}

export interface SearchHit {
  conversationId: number;
  conversationTitle: string;
  messageId: number;
  role: MessageRole;
  /** Plain text around the match; the matched words are wrapped in the markers below. */
  snippet: string;
}
export const snippetMarkStart = '\u0002';
export const snippetMarkEnd = '\u0003';

export interface ModelFile {
  /** Path relative to the models folder: the name a user picks a model by. */
  name: string;
  path: string;
  sizeBytes: number;
  usable: boolean;
  /** Why the file cannot be used, when it cannot. */
  problem: string | null;
  architecture: string | null;
  quantization: string | null;
  hasChatTemplate: boolean;
  /** Hearth's built-in demo model: it says one fixed sentence; real models come from the recommender. */
  demo: boolean;
  /** Files on disk: more than one for a split set (listed by its first part). */
  parts: number;
}

export type EngineState = 'idle' | 'loading' | 'ready' | 'error';

export interface LoadedModel {
  name: string;
  path: string;
  chatTemplate: string;
  isBaseModel: boolean;
  contextSize: number;
  threads: number;
  gpu: string | false;
  gpuLayers: number;
  loadMs: number;
  /** What the fit estimator expected this load to take, and what it took (RAM + VRAM growth). */
  estimatedBytes: number | null;
  measuredBytes: number;
  /** Set when the guardrail changed the request so the model would load (fewer GPU layers, smaller context). */
  loadNote: string | null;
}

export interface EngineStatus {
  state: EngineState;
  model: LoadedModel | null;
  error: string | null;
  generatingConversationId: number | null;
}

export interface AppInfo {
  name: string;
  version: string;
  dataDir: string;
  modelsDir: string;
  platform: string;
  cpuThreads: number;
}

/** A fact the probe could not establish, and why: shown to the user instead of a guess. */
export interface UnknownFact {
  what: string;
  why: string;
}

export interface GpuInfo {
  vendor: string;
  model: string;
  /** Dedicated memory; for a GPU that shares system RAM this is what the OS reserves for it, if anything. */
  vramBytes: number | null;
  vramFreeBytes: number | null;
  driver: string | null;
  /** Shares system RAM (Apple Silicon, integrated GPUs): its memory is the RAM, never counted twice. */
  unifiedMemory: boolean;
}

export type LlamaBackend = 'cuda' | 'vulkan' | 'metal' | 'cpu';

export interface HardwareReport {
  os: { platform: string; distro: string | null; release: string | null; arch: string };
  cpu: {
    model: string | null;
    physicalCores: number;
    logicalCores: number;
    simd: { avx2: boolean | null; avx512: boolean | null; neon: boolean | null };
  };
  memory: { totalBytes: number; availableBytes: number; swapTotalBytes: number | null; swapFreeBytes: number | null };
  /** What the operating system reports (systeminformation). */
  gpus: GpuInfo[];
  /** What llama.cpp can actually use; fitting trusts this over `gpus` where they disagree. */
  llama: {
    backend: LlamaBackend;
    deviceNames: string[];
    vramTotalBytes: number;
    vramFreeBytes: number;
    /** Memory the GPU shares with the CPU (unified memory); 0 for a discrete card. */
    unifiedBytes: number;
  } | null;
  disk: { path: string; freeBytes: number | null };
  unknown: UnknownFact[];
  probedAt: number;
}

export type FitClass = 'full-gpu' | 'partial' | 'cpu' | 'too-large';
export const kvCacheTypeNames = ['f16', 'q8_0', 'q4_0'] as const;
export type KvCacheTypeName = (typeof kvCacheTypeNames)[number];

export interface DeviceMemory {
  weightsBytes: number;
  kvCacheBytes: number;
  computeBytes: number;
  runtimeBytes: number;
  totalBytes: number;
}

/** How a model fits this machine: where each byte goes, and the one-sentence why. */
export interface FitReport {
  fitClass: FitClass;
  /** llama.cpp's count: repeating layers on the GPU plus one for the output head. */
  gpuLayers: number;
  totalLayers: number;
  gpu: DeviceMemory;
  cpu: DeviceMemory;
  gpuFreeBytes: number;
  ramFreeBytes: number;
  /** What may be used after the safety reserves. */
  gpuBudgetBytes: number;
  ramBudgetBytes: number;
  unifiedMemory: boolean;
  contextSize: number;
  kvCacheType: KvCacheTypeName;
  /** At the memory-bandwidth limit; null when a device's bandwidth is unknown. An estimate, never a measurement. */
  decodeTokensPerSecond: number | null;
  weightsExact: boolean;
  /** Measured ÷ estimated memory of earlier loads on this device, applied to this estimate. */
  correction: { factor: number; samples: number } | null;
  /** node-llama-cpp's own dry-run estimate, for a model whose file is here (null otherwise). */
  nodeLlamaCpp: { cpuBytes: number; gpuBytes: number } | null;
  explanation: string;
}

export interface Recommendation {
  modelId: string;
  modelName: string;
  family: string;
  parameters: number;
  quantization: string;
  file: string;
  ggufRepo: string;
  fileSizeBytes: number;
  sizeExact: boolean;
  license: string;
  tags: string[];
  /** Quality lost to quantization, from llama.cpp's published perplexity measurements. */
  qualityNote: string;
  nativeContextLength: number;
  fit: FitReport;
}

export const recommendPriorities = ['speed', 'balanced', 'quality'] as const;
export type RecommendPriority = (typeof recommendPriorities)[number];

export interface RecommendResult {
  hardware: HardwareReport;
  contextSize: number;
  priority: RecommendPriority;
  recommendations: Recommendation[];
}

export const weightPrecisions = ['fp32', 'fp16', 'bf16', 'int8', 'int4'] as const;
export type WeightPrecision = (typeof weightPrecisions)[number];

export interface MemoryCalculation {
  bytesPerWeight: number;
  weightsBytes: number;
  /** Null when the architecture numbers the KV cache needs were not given. */
  kvCacheBytes: number | null;
  computeBytes: number | null;
  /** How it fits this machine, when the architecture is complete. */
  fit: FitReport | null;
  note: string;
}

export interface HubTokenStatus {
  configured: boolean;
  source: 'environment' | 'secure storage' | null;
  /** The desktop app can store one; browser mode reads HF_TOKEN from the environment only. */
  canStore: boolean;
}

export const downloadStatuses = ['queued', 'downloading', 'paused', 'verifying', 'completed', 'failed', 'cancelled'] as const;
export type DownloadStatus = (typeof downloadStatuses)[number];

export interface Download {
  id: number;
  /** What the user asked for: hf:owner/repo/file.gguf, hf:owner/repo:Q4_K_M, catalog:id:Q4_K_M or an https URL. */
  source: string;
  url: string;
  fileName: string;
  totalBytes: number | null;
  receivedBytes: number;
  status: DownloadStatus;
  error: string | null;
  /** The Hub's published SHA-256 when it gave one; the file is checked against it. */
  expectedSha256: string | null;
  sha256: string | null;
  retries: number;
  /** Parallel range requests the file comes in (1: one stream). */
  segments: number;
  /** Live figures while it runs. */
  bytesPerSecond: number | null;
  etaSeconds: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface ExportedFile {
  filename: string;
  mimeType: string;
  content: string;
}

/** Hearth's JSON export: the format `conversations.import` accepts back. */
export const exportFormatVersion = 1;
export const exportedConversationSchema = z.object({
  format: z.literal('hearth.conversation'),
  version: z.literal(exportFormatVersion),
  conversation: z.object({
    title: z.string().max(500),
    modelPath: z.string().nullable(),
    systemPrompt: z.string(),
    settings: samplingSettingsSchema.partial().optional(),
    chatTemplate: z.string().nullable().optional(),
    pinned: z.boolean().optional(),
    createdAt: z.number(),
    updatedAt: z.number()
  }),
  messages: z.array(
    z.object({
      role: z.enum(['system', 'user', 'assistant']),
      content: z.string(),
      status: z.enum(['complete', 'streaming', 'interrupted', 'error']),
      error: z.string().nullable().optional(),
      createdAt: z.number(),
      updatedAt: z.number().optional(),
      metrics: messageMetricsSchema.nullable().optional()
    })
  )
});
export type ExportedConversation = z.infer<typeof exportedConversationSchema>;

const empty = z.strictObject({});
const byId = z.strictObject({ id });

/** A method: its input schema, and its output type carried as a phantom (curried so the input is inferred). */
interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  output: O;
}
function method<O>() {
  return <I extends z.ZodType>(input: I): MethodSpec<I, O> => ({ input, output: undefined as O });
}

const partialSettings = samplingSettingsSchema.partial();
const modelPath = z.string().min(1).max(4096);

export const methods = {
  'app.info': method<AppInfo>()(empty),
  'models.list': method<ModelFile[]>()(empty),
  /** Copies (or links) a GGUF from anywhere into the models folder, after checking it. */
  'models.import': method<ModelFile>()(z.strictObject({ path: z.string().min(1).max(4096), link: z.boolean().optional() })),
  /** Deletes a model from the models folder (the UI confirms first). */
  'models.delete': method<{ name: string; freedBytes: number }>()(z.strictObject({ name: modelPath })),
  'engine.status': method<EngineStatus>()(empty),
  /** Loads a model from the models folder, by its name there (see `models.list`). */
  'engine.load': method<EngineStatus>()(
    z.strictObject({
      name: modelPath,
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
      priority: z.enum(recommendPriorities).optional()
    })
  ),
  /** The memory calculator: a model that is not in the catalog, from its parameter count and precision. */
  'catalog.calculate': method<MemoryCalculation>()(
    z.strictObject({
      parameters: z.number().positive().max(1e13),
      precision: z.enum(weightPrecisions),
      contextSize: z.number().int().min(256).max(1_048_576),
      kvCacheType: z.enum(kvCacheTypeNames).optional(),
      architecture: z
        .strictObject({
          layers: z.number().int().min(1).max(1000),
          embedding: z.number().int().min(1).max(1_000_000),
          kvHeads: z.number().int().min(1).max(1024),
          headDim: z.number().int().min(1).max(4096),
          vocab: z.number().int().min(1).max(10_000_000)
        })
        .optional()
    })
  ),
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
      modelPath: modelPath.nullable().optional(),
      systemPrompt: z.string().max(100_000).optional(),
      settings: partialSettings.optional()
    })
  ),
  'conversations.get': method<ConversationWithMessages>()(byId),
  'conversations.update': method<Conversation>()(
    z.strictObject({
      id,
      title: z.string().trim().min(1).max(500).optional(),
      modelPath: modelPath.nullable().optional(),
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
  'chat.stop': method<{ stopped: boolean }>()(z.strictObject({ conversationId: id })),
  'downloads.list': method<Download[]>()(empty),
  /** Whether a Hugging Face token is set (never the token itself) and where it comes from. */
  'settings.hubToken': method<HubTokenStatus>()(empty),
  /** Stores (or with null forgets) the token for gated models: desktop only, encrypted by the OS keychain. */
  'settings.setHubToken': method<HubTokenStatus>()(z.strictObject({ token: z.string().trim().min(8).max(512).nullable() })),
  /** Shows a model file in the system file manager (desktop only). */
  'models.reveal': method<{ revealed: boolean }>()(z.strictObject({ name: modelPath })),
  /** Before committing: reads the remote file's GGUF header with range requests and fits it on this machine. */
  'downloads.inspect': method<{ fileName: string; sizeBytes: number | null; fit: FitReport }>()(
    z.strictObject({ source: z.string().trim().min(3).max(2048), contextSize: z.number().int().min(256).max(1_048_576).optional() })
  ),
  /** Checks the source and the free disk space, then queues the download; progress arrives as `downloads.progress`. */
  'downloads.start': method<Download>()(z.strictObject({ source: z.string().trim().min(3).max(2048) })),
  'downloads.pause': method<Download>()(byId),
  'downloads.resume': method<Download>()(byId),
  /** Stops the download and deletes its partial file. */
  'downloads.cancel': method<Download>()(byId),
  'downloads.retry': method<Download>()(byId)
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

export interface Events {
  /** New text of a streaming reply: only what was added since the previous event. */
  'chat.delta': { conversationId: number; messageId: number; delta: string; outputTokens: number };
  /** The reply has finished (complete, stopped, or failed); carries the stored message with its metrics. */
  'chat.end': { conversationId: number; message: Message };
  'engine.status': EngineStatus;
  'conversations.changed': { id: number };
  /** A download's figures, at most a few times a second. */
  'downloads.progress': Download;
  /** A download started, paused, finished or failed. */
  'downloads.changed': Download;
}
export type EventName = keyof Events;
export const eventNames: EventName[] = ['chat.delta', 'chat.end', 'engine.status', 'conversations.changed', 'downloads.progress', 'downloads.changed'];

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
