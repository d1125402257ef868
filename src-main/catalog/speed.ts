/**
 * Decoding one token reads every active weight and the KV cache once, so memory bandwidth divided by
 * the bytes read per token bounds the decode speed. This is an estimate and is always labelled so;
 * the benchmark measures the real figure.
 */
import type { ModelGeometry } from './geometry';
import type { MemoryNeeds, Split } from './estimator';

const GB = 1e9;

/** Peak memory bandwidth (GB/s) from the vendors' specification sheets; matched against the device name. */
export const gpuBandwidthTable: { pattern: RegExp; gbPerSecond: number }[] = [
  { pattern: /H200/i, gbPerSecond: 4800 },
  { pattern: /H100.*PCIe/i, gbPerSecond: 2000 },
  { pattern: /H100/i, gbPerSecond: 3350 },
  { pattern: /A100.*80/i, gbPerSecond: 2039 },
  { pattern: /A100/i, gbPerSecond: 1555 },
  { pattern: /RTX 5090/i, gbPerSecond: 1792 },
  { pattern: /RTX 5080/i, gbPerSecond: 960 },
  { pattern: /RTX 4090/i, gbPerSecond: 1008 },
  { pattern: /RTX 4080 SUPER/i, gbPerSecond: 736 },
  { pattern: /RTX 4080/i, gbPerSecond: 717 },
  { pattern: /RTX 4070 Ti/i, gbPerSecond: 504 },
  { pattern: /RTX 4070/i, gbPerSecond: 504 },
  { pattern: /RTX 4060 Ti/i, gbPerSecond: 288 },
  { pattern: /RTX 4060/i, gbPerSecond: 272 },
  { pattern: /RTX 3090/i, gbPerSecond: 936 },
  { pattern: /RTX 3080/i, gbPerSecond: 760 },
  { pattern: /RTX 3070/i, gbPerSecond: 448 },
  { pattern: /RTX 3060/i, gbPerSecond: 360 },
  { pattern: /RX 7900 XTX/i, gbPerSecond: 960 },
  { pattern: /RX 7900 XT/i, gbPerSecond: 800 },
  { pattern: /M1 Ultra|M2 Ultra/i, gbPerSecond: 800 },
  { pattern: /M4 Max/i, gbPerSecond: 546 },
  { pattern: /M[123] Max/i, gbPerSecond: 400 },
  { pattern: /M4 Pro/i, gbPerSecond: 273 },
  { pattern: /M[12] Pro/i, gbPerSecond: 200 },
  { pattern: /M3 Pro/i, gbPerSecond: 150 },
  { pattern: /M4/i, gbPerSecond: 120 },
  { pattern: /M[23]\b/i, gbPerSecond: 100 },
  { pattern: /M1\b/i, gbPerSecond: 68 }
];

/** Used until the benchmark has measured this machine: dual-channel DDR4 sustains about this much. */
export const defaultCpuBandwidthGbPerSecond = 20;

export function gpuBandwidth(deviceNames: string[]): number | null {
  for (const name of deviceNames) {
    const match = gpuBandwidthTable.find((entry) => entry.pattern.test(name));
    if (match) return match.gbPerSecond;
  }
  return null;
}

/** The share of a layer's weights one token reads: all of it, or for a mixture of experts the active experts and the rest. */
export function activeWeightFraction(geometry: ModelGeometry, expertFeedForward: number | null): number {
  if (!geometry.experts || !geometry.expertsUsed) return 1;
  if (!expertFeedForward) return geometry.expertsUsed / geometry.experts;
  const attention = geometry.embedding * geometry.heads * geometry.keyLength * 2 + geometry.embedding * geometry.kvHeads * geometry.keyLength * 2;
  const expertsAll = 3 * geometry.embedding * expertFeedForward * geometry.experts;
  const expertsActive = 3 * geometry.embedding * expertFeedForward * geometry.expertsUsed;
  return (attention + expertsActive) / (attention + expertsAll);
}

export interface SpeedInputs {
  needs: MemoryNeeds;
  split: Split;
  activeFraction: number;
  gpuGbPerSecond: number | null;
  cpuGbPerSecond: number;
}

/** Tokens per second at the bandwidth limit, with the context half full on average; null when the GPU's bandwidth is unknown. */
export function estimateDecodeSpeed({ needs, split, activeFraction, gpuGbPerSecond, cpuGbPerSecond }: SpeedInputs): number | null {
  const layers = needs.layerWeights.length;
  const gpuRepeating = Math.min(split.gpuLayers, layers);
  const ratioOnGpu = layers ? gpuRepeating / layers : 0;
  const layerWeights = needs.layerWeights.reduce((a, b) => a + b, 0) * activeFraction;
  const kvRead = needs.layerKvCache.reduce((a, b) => a + b, 0) / 2;
  const headOnGpu = split.gpuLayers === split.totalLayers;
  const gpuBytes = (layerWeights + kvRead) * ratioOnGpu + (headOnGpu ? needs.outputWeights : 0);
  const cpuBytes = (layerWeights + kvRead) * (1 - ratioOnGpu) + (headOnGpu ? 0 : needs.outputWeights);
  if (gpuBytes > 0 && !gpuGbPerSecond) return null;
  const seconds = (gpuBytes > 0 ? gpuBytes / (gpuGbPerSecond! * GB) : 0) + cpuBytes / (cpuGbPerSecond * GB);
  return seconds > 0 ? 1 / seconds : null;
}

/**
 * Bytes one decode step reads: the active repeating weights, the output head, and the F16 KV cache of
 * `contextTokens` tokens (the token embedding contributes one row, negligible).
 */
export function bytesPerGeneratedToken(geometry: ModelGeometry, contextTokens: number, expertFeedForward: number | null = null): number {
  const weights = geometry.layerWeightBytes.reduce((sum, bytes) => sum + bytes, 0) * activeWeightFraction(geometry, expertFeedForward);
  const kvPerToken = geometry.layers * geometry.kvHeads * (geometry.keyLength + geometry.valueLength) * 2;
  return weights + geometry.outputWeightBytes + kvPerToken * contextTokens;
}
