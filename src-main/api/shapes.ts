/**
 * The data that crosses the API: what methods take and return and what events carry. Pure (no
 * Node, no DOM): the renderer and the preload bundle it too. The methods themselves are in contract.ts.
 */
import { z } from 'zod';


/** Prompt formats Hearth can apply instead of the model's own (node-llama-cpp's wrapper type names). */
export const knownChatTemplates = [
  'chatML',
  'llama3.2-lightweight',
  'llama3.1',
  'llama3',
  'llama2Chat',
  'mistral',
  'gemma',
  'deepSeek',
  'qwen',
  'falconChat',
  'alpacaChat',
  'general'
] as const;

export const chatTemplateChoiceSchema = z.discriminatedUnion('kind', [
  /** The template in the model's GGUF (or, without one, plain continuation for a base model). */
  z.strictObject({ kind: z.literal('model') }),
  z.strictObject({ kind: z.literal('named'), name: z.enum(knownChatTemplates) }),
  z.strictObject({ kind: z.literal('jinja'), template: z.string().trim().min(1, 'Paste a Jinja template first.').max(100_000) })
]);
export type ChatTemplateChoice = z.infer<typeof chatTemplateChoiceSchema>;

export const draftingSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('off') }),
  /** Drafts by finding the last generated tokens earlier in the prompt (n-gram lookup). */
  z.strictObject({ kind: z.literal('promptLookup') }),
  /** Drafts with a smaller installed model that shares the vocabulary. */
  z.strictObject({ kind: z.literal('model'), name: z.string().min(1).max(4096) })
]);
export type Drafting = z.infer<typeof draftingSchema>;

export const contextOverflowPolicies = ['dropOldest', 'stop'] as const;
export type ContextOverflowPolicy = (typeof contextOverflowPolicies)[number];

/** Everything that shapes a reply; saved per conversation and stored with each reply's metrics. */
export const generationSettingsSchema = z.strictObject({
  temperature: z.number().min(0, 'Temperature cannot be negative.').max(2),
  /** 0 keeps every token. */
  topK: z.number().int().min(0).max(1000),
  topP: z.number().gt(0, 'Top-p must be above 0.').max(1, 'Top-p is a probability: at most 1.'),
  minP: z.number().min(0).max(1),
  /** 1 turns the repeat penalty off. */
  repeatPenalty: z.number().min(1, 'Repeat penalty below 1 would reward repetition; 1 turns it off.').max(2),
  /** How many recent tokens the repeat, presence and frequency penalties look back over. */
  repeatLastTokens: z.number().int().min(1).max(4096),
  /** Subtracted once from a token that already appeared. */
  presencePenalty: z.number().min(-2).max(2),
  /** Subtracted once per earlier appearance of a token. */
  frequencyPenalty: z.number().min(-2).max(2),
  maxTokens: z.number().int().min(1).max(131072),
  seed: z.number().int().min(0).max(2 ** 32 - 1).nullable(),
  stop: z.array(z.string().min(1, 'A stop sequence cannot be empty.').max(200)).max(8),
  /** Off: the end-of-sequence token is never sampled, so the reply runs to max tokens or a stop sequence. */
  stopAtEos: z.boolean(),
  /** Context length for this conversation; null takes the model's default (bounded by the fit estimate). */
  contextSize: z.number().int().min(256).max(1_048_576).nullable(),
  contextOverflow: z.enum(contextOverflowPolicies),
  chatTemplate: chatTemplateChoiceSchema,
  /** 1 is ordinary sampling; above 1, deterministic beam search with that many beams. */
  beamWidth: z.number().int().min(1).max(8),
  /** Beam scores are log-probability ÷ length^lengthPenalty: above 0 favours longer replies. */
  lengthPenalty: z.number().min(0).max(2),
  drafting: draftingSchema
});
export type GenerationSettings = z.infer<typeof generationSettingsSchema>;

export const defaultGenerationSettings: GenerationSettings = {
  temperature: 0.7,
  topK: 40,
  topP: 0.95,
  minP: 0.05,
  repeatPenalty: 1,
  repeatLastTokens: 64,
  presencePenalty: 0,
  frequencyPenalty: 0,
  maxTokens: 1024,
  seed: null,
  stop: [],
  stopAtEos: true,
  contextSize: null,
  contextOverflow: 'dropOldest',
  chatTemplate: { kind: 'model' },
  beamWidth: 1,
  lengthPenalty: 1,
  drafting: { kind: 'off' }
};

export const samplingPresetNames = ['precise', 'balanced', 'creative'] as const;
export type SamplingPresetName = (typeof samplingPresetNames)[number];
/** Presets change only how the next token is picked; context, template and stopping stay as they are. */
export const samplingPresets: Record<SamplingPresetName, Partial<GenerationSettings>> = {
  precise: { temperature: 0.2, topK: 20, topP: 0.9, minP: 0.1, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 },
  balanced: { temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, repeatPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 },
  creative: { temperature: 1.1, topK: 80, topP: 0.98, minP: 0.02, repeatPenalty: 1.05, presencePenalty: 0.3, frequencyPenalty: 0.2 }
};

export type MessageRole = 'system' | 'user' | 'assistant';
export type MessageStatus = 'complete' | 'streaming' | 'interrupted' | 'error';

export const stopReasons = ['eos', 'stopSequence', 'maxTokens', 'contextFull', 'abort', 'error'] as const;

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
  /** The stop sequence that ended the reply, when one did. */
  stopSequence: z.string().nullable().default(null),
  settings: generationSettingsSchema,
  threads: z.number().int().min(0),
  /** The loaded context's length, and how many of the oldest turns were left out so the prompt fit it. */
  contextSize: z.number().int().min(0).default(0),
  droppedTurns: z.number().int().min(0).default(0),
  /** Speculative decoding: draft tokens checked by the model, and how many it accepted. */
  speculation: z
    .object({ kind: z.enum(['promptLookup', 'model']), draftModel: z.string().nullable(), validated: z.number().int().min(0), refuted: z.number().int().min(0) })
    .nullable()
    .default(null),
  /** Beam search: the width and the chosen sequence's total log-probability. */
  beam: z.object({ width: z.number().int().min(1), logProbability: z.number() }).nullable().default(null),
  /** Time between consecutive output tokens: median, 95th percentile, and counts per `interTokenBucketsMs` bucket. */
  interTokenP50Ms: z.number().min(0).nullable().default(null),
  interTokenP95Ms: z.number().min(0).nullable().default(null),
  interTokenHistogram: z.array(z.number().int().min(0)).default([]),
  /** Layers llama.cpp ran on the GPU for this reply (0 on the CPU). */
  gpuLayers: z.number().int().min(0).default(0)
});

/**
 * Upper edges (ms) of the inter-token latency histogram's buckets; the last bucket holds everything
 * slower. Fixed, so histograms of different replies add up.
 */
export const interTokenBucketsMs = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000] as const;
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
  /** The message this one answers or follows; null for a conversation's first message. */
  parentId: number | null;
  /** This message and its alternatives (regenerated replies, edited messages), oldest first. */
  siblingIds: number[];
}

export interface Conversation {
  id: number;
  title: string;
  modelPath: string | null;
  systemPrompt: string;
  settings: GenerationSettings;
  /** The prompt format used for the last reply: a chat wrapper's name, or "none (base model)". */
  chatTemplate: string | null;
  pinned: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ConversationWithMessages {
  conversation: Conversation;
  /** The branch on show, first message to last; other branches are reached through `siblingIds`. */
  messages: Message[];
}

/** The conversation's prompt as the loaded model will receive it, and how much of the context it takes. */
export interface ContextReport {
  model: string;
  /** The prompt format's name (the model's, a named one, or "custom Jinja"). */
  template: string;
  promptTokens: number;
  contextSize: number;
  /** Room left for the reply, after the prompt. */
  remainingTokens: number;
  /** The least room a reply needs: with less, the overflow policy applies. */
  reserveTokens: number;
  policy: ContextOverflowPolicy;
  /** Oldest turns the policy would leave out to make room (0 when it all fits). */
  droppedTurns: number;
  /** The exact text the model receives, special tokens written out. */
  promptText: string;
}

export interface TokenPiece {
  id: number;
  /** The token's text, special tokens written out (a piece may be part of a multi-byte character). */
  text: string;
}

export interface TokenizeResult {
  model: string;
  tokens: TokenPiece[];
}

export interface TokenCandidate extends TokenPiece {
  /** The model's own probability (temperature 1, no cut-offs). */
  probability: number;
}

export interface NextTokensResult {
  model: string;
  promptTokens: number;
  /** The most likely next tokens, most likely first. */
  candidates: TokenCandidate[];
  /** Present when sampling was asked for: the token llama.cpp picked with the given settings. */
  sampled: TokenPiece | null;
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
  /** Set when nothing in the catalog fits here: where to run bigger models instead. */
  remoteSuggestion: string | null;
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
    settings: generationSettingsSchema.partial().optional(),
    chatTemplate: z.string().nullable().optional(),
    pinned: z.boolean().optional(),
    createdAt: z.number(),
    updatedAt: z.number(),
    /** Index (in `messages`) of the last message of the branch on show; the last message when absent. */
    shown: z.number().int().min(0).nullable().optional()
  }),
  /** Every branch, oldest first; without `parent` each message follows the one before it (older exports). */
  messages: z.array(
    z.object({
      role: z.enum(['system', 'user', 'assistant']),
      content: z.string(),
      status: z.enum(['complete', 'streaming', 'interrupted', 'error']),
      error: z.string().nullable().optional(),
      createdAt: z.number(),
      updatedAt: z.number().optional(),
      metrics: messageMetricsSchema.nullable().optional(),
      /** Index (in `messages`) of the message this one follows; always an earlier one. */
      parent: z.number().int().min(0).nullable().optional()
    })
  )
});
export type ExportedConversation = z.infer<typeof exportedConversationSchema>;

/** One second of the machine, as the dashboard's live charts draw it. */
export interface TelemetrySample {
  at: number;
  /** Share of all cores busy since the previous sample. */
  cpuPercent: number | null;
  memoryTotalBytes: number;
  memoryFreeBytes: number;
  /** Hearth's own resident memory. */
  appBytes: number;
  gpus: GpuTelemetry[];
}

export interface GpuTelemetry {
  name: string;
  vramTotalBytes: number | null;
  vramUsedBytes: number | null;
  /** Where the platform exposes it (NVIDIA through nvidia-smi, for example). */
  utilizationPercent: number | null;
}

/** A stored reply with its figures, for the dashboard and its CSV export. */
export interface ReplyRecord {
  /** Negative for an OpenAI API request kept without its text (conversationId is then 0). */
  messageId: number;
  conversationId: number;
  conversationTitle: string;
  createdAt: number;
  metrics: MessageMetrics;
}

export const replyFiltersSchema = z.strictObject({
  modelFile: z.string().min(1).max(4096).optional(),
  /** ms since the epoch, inclusive. */
  since: z.number().int().min(0).optional(),
  until: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(100_000).optional()
});
export type ReplyFilters = z.infer<typeof replyFiltersSchema>;

export interface Statistic {
  mean: number;
  /** Sample standard deviation (0 for a single repetition). */
  std: number;
  n: number;
}

export interface ParallelDecode {
  sequences: number;
  /** Tokens per second over all sequences together. */
  totalTokensPerSecond: Statistic;
  /** Time to generate the tokens ÷ tokens ÷ sequences (the BLOOM inference benchmarks' figure). */
  msPerTokenPerSequence: Statistic;
}

export interface BenchmarkResult {
  id: number;
  createdAt: number;
  model: string;
  quantization: string | null;
  threads: number;
  gpuLayers: number;
  contextSize: number;
  /** Where it ran: the device key the fit corrections use, and the CPU. */
  hardware: string;
  promptTokens: number;
  genTokens: number;
  reps: number;
  loadMs: number;
  prefillTokensPerSecond: Statistic;
  decodeTokensPerSecond: Statistic;
  parallel: ParallelDecode[];
  /** The memory bandwidth the limit is computed from, and where it came from. */
  bandwidthGbPerSecond: number;
  bandwidthSource: 'measured (CPU memory test)' | 'GPU specification table';
  /** Weights plus KV cache read for one generated token. */
  bytesPerToken: number;
  limitTokensPerSecond: number;
  /** Measured decode ÷ limit, in percent. */
  percentOfLimit: number;
}

export interface CloudPrice {
  name: string;
  /** Price per 1M output tokens, in the cost settings' currency. */
  per1MTokens: number;
}

export const costSettingsSchema = z.strictObject({
  /** What the machine draws while generating, in watts. */
  watts: z.number().min(1).max(10_000),
  pricePerKwh: z.number().min(0).max(100),
  currency: z.string().trim().min(1).max(8),
  cloudPrices: z.array(z.strictObject({ name: z.string().trim().min(1).max(100), per1MTokens: z.number().min(0).max(10_000) })).max(50)
});
export type CostSettings = z.infer<typeof costSettingsSchema>;

/** Sensible starting points, all editable: a desktop under load, a typical European tariff, list prices of late 2025. */
export const defaultCostSettings: CostSettings = {
  watts: 150,
  pricePerKwh: 0.3,
  currency: 'USD',
  cloudPrices: [
    { name: 'GPT-4o mini (output)', per1MTokens: 0.6 },
    { name: 'GPT-4o (output)', per1MTokens: 10 },
    { name: 'Claude 3.5 Haiku (output)', per1MTokens: 4 },
    { name: 'Gemini 1.5 Flash (output)', per1MTokens: 0.3 }
  ]
};

export const outboundPurposes = ['download', 'hub', 'inspect', 'remote-engine'] as const;
export type OutboundPurpose = (typeof outboundPurposes)[number];

/** One request Hearth made (or refused to make) beyond this machine. */
export interface OutboundRecord {
  id: number;
  at: number;
  purpose: OutboundPurpose;
  method: string;
  /** Without query string or credentials. */
  url: string;
  status: number | null;
  error: string | null;
  blocked: boolean;
}

export interface NetworkSettings {
  /** Blocks every outbound request: downloads, Hub look-ups, remote engines. */
  offline: boolean;
}

/** An OpenAI-compatible server (vLLM, llama.cpp server, Ollama, LM Studio, another Hearth) whose models chats can use. */
export interface RemoteEngine {
  id: number;
  name: string;
  /** Up to and including /v1, e.g. http://gpu-box:8000/v1. */
  baseUrl: string;
  /** Whether a key is stored (never the key). */
  hasKey: boolean;
  /** Where the key is kept: the OS keychain (desktop), or memory until Hearth restarts (browser mode). */
  keyStorage: 'secure storage' | 'memory' | null;
  /** The models it listed the last time it was asked. */
  models: string[];
  error: string | null;
}

/** A conversation's model on a remote engine is named `remote:<engine id>/<model>`. */
export const remoteModelPrefix = 'remote:';

export function remoteModelName(engineId: number, model: string): string {
  return `${remoteModelPrefix}${engineId}/${model}`;
}

export function parseRemoteModelName(name: string): { engineId: number; model: string } | null {
  const match = /^remote:(\d+)\/(.+)$/.exec(name);
  return match ? { engineId: Number(match[1]), model: match[2] } : null;
}

/** The OpenAI-compatible API's settings (Settings → API server); the key itself is never returned. */
export const apiServerSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(0).max(65535),
  /** Browser origins allowed to call it; none by default. */
  allowedOrigins: z.array(z.url({ protocol: /^https?$/ })).max(20),
  maxTokensCap: z.number().int().min(1).max(131072),
  /** Keep API chats as conversations in the history (off: only their figures, for the dashboard). */
  storeChats: z.boolean()
});
export type ApiServerSettings = z.infer<typeof apiServerSettingsSchema>;

export const defaultApiServerSettings: ApiServerSettings = { enabled: false, host: '127.0.0.1', port: 1234, allowedOrigins: [], maxTokensCap: 4096, storeChats: false };

export interface ApiServerStatus {
  settings: ApiServerSettings;
  running: boolean;
  /** Base URL clients use, e.g. http://127.0.0.1:1234/v1. */
  url: string | null;
  hasKey: boolean;
  /** Why it is not running although enabled (port taken, no key off loopback). */
  error: string | null;
}
