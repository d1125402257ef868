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
