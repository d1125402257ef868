/**
 * What the machine has and how a model fits it: probes, fit reports, recommendations, the memory calculator. Pure (no Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';

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
  /** What the device needs; `repackBytes` is not part of it. */
  totalBytes: number;
  /**
   * RAM only: llama.cpp's CPU backend's repacked copies of some weights (Q4_K and Q4_0 on AVX2). Each
   * replaces its original's file pages, which the OS drops when memory runs short, so it is not needed
   * on top of the weights — but a process monitor shows both where RAM is ample.
   */
  repackBytes: number;
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

/** The memory a load shows (RSS + VRAM growth) where RAM is ample: what both devices need plus the CPU's repacked copies. */
export function expectedResidentBytes(fit: Pick<FitReport, 'gpu' | 'cpu'>): number {
  return fit.gpu.totalBytes + fit.cpu.totalBytes + fit.cpu.repackBytes;
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
  /** Quality lost to quantization, in words, from llama.cpp's published perplexity measurements. */
  quality: QualityRating;
  /** Decode speed on this machine: measured where it has run this model (or one of the same shape), else estimated. */
  speed: SpeedFigure;
  /** Fits, but decodes slower than the usable-speed floor (`RecommendResult.minTokensPerSecond`); ranked after usable picks. */
  slow: boolean;
  /** Why it ranks where it does, in one line. */
  rankReason: string;
  nativeContextLength: number;
  fit: FitReport;
}

/**
 * Perplexity added over F16, in words: near-lossless below 0.05, small loss below 0.3, noticeable loss
 * below 1, large loss from 1; F16/BF16 are the original precision.
 */
export const qualityWords = ['original precision', 'near-lossless', 'small loss', 'noticeable loss', 'large loss', 'not measured'] as const;
export type QualityWords = (typeof qualityWords)[number];

export interface QualityRating {
  words: QualityWords;
  /** The measurement behind the words — its figure, the model it was measured on and the source — for a tooltip. */
  detail: string;
}

export interface SpeedFigure {
  /** Tokens per second while decoding; null when the GPU's bandwidth is unknown and nothing was measured. */
  tokensPerSecond: number | null;
  measured: boolean;
  /** Where the figure comes from, in one sentence. */
  basis: string;
}

export const recommendPriorities = ['speed', 'balanced', 'quality'] as const;
export type RecommendPriority = (typeof recommendPriorities)[number];

/** Below this many tokens per second a reply feels broken: picks that slow are flagged and ranked after usable ones. */
export const defaultMinTokensPerSecond = 5;

export interface RecommendResult {
  hardware: HardwareReport;
  contextSize: number;
  priority: RecommendPriority;
  /** The usable-speed floor the ranking used. */
  minTokensPerSecond: number;
  recommendations: Recommendation[];
  /** Set when nothing in the catalog fits here: where to run bigger models instead. */
  remoteSuggestion: string | null;
}

export const weightPrecisions = ['fp32', 'fp16', 'bf16', 'int8', 'int4'] as const;
export type WeightPrecision = (typeof weightPrecisions)[number];

/** The memory calculator's question: a model that is not in the catalog, from its parameter count and precision. */
export const memoryCalculationInputSchema = z.strictObject({
  parameters: z.number().positive().max(1e13),
  precision: z.enum(weightPrecisions),
  contextSize: z.number().int().min(256).max(1_048_576),
  kvCacheType: z.enum(kvCacheTypeNames).optional(),
  /** The numbers the KV cache and compute buffers need; without them only the weights are sized. */
  architecture: z
    .strictObject({
      layers: z.number().int().min(1).max(1000),
      embedding: z.number().int().min(1).max(1_000_000),
      kvHeads: z.number().int().min(1).max(1024),
      headDim: z.number().int().min(1).max(4096),
      vocab: z.number().int().min(1).max(10_000_000)
    })
    .optional()
});

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
