/**
 * Live telemetry, stored reply figures for the dashboard, benchmarks and cost. Pure (no Node, no DOM): the renderer and the preload bundle it too.
 */
import { z } from 'zod';
import type { MessageMetrics } from './conversations';

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
  model: z.string().min(1).max(4096).optional(),
  /** ms since the epoch, inclusive. */
  since: z.number().int().min(0).optional(),
  until: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(100_000).optional()
});
export type ReplyFilters = z.infer<typeof replyFiltersSchema>;

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

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
  /** The model's shape (the catalog's `shapeKey`): a catalog file of the same shape and quantization decodes at this speed too. Absent in results kept before it was recorded. */
  shape?: string;
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
