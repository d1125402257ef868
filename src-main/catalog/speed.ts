/**
 * Decoding one token reads every active weight and the KV cache once, so memory bandwidth divided by
 * the bytes read per token bounds the decode speed. This is an estimate and is always labelled so;
 * the benchmark measures the real figure.
 */
import type { ModelGeometry } from './geometry';
import { isSlidingWindowLayer, type MemoryNeeds, type Split } from './estimator';

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

export function gpuBandwidth(deviceNames: string[]): number | null {
  for (const name of deviceNames) {
    const match = gpuBandwidthTable.find((entry) => entry.pattern.test(name));
    if (match) return match.gbPerSecond;
  }
  return null;
}

/** Bytes of each layer one token reads: all of a dense layer; of an MoE layer, the shared part and its used experts' share. */
export function activeLayerBytes(geometry: ModelGeometry): number[] {
  const used = geometry.experts && geometry.expertsUsed ? geometry.expertsUsed / geometry.experts : 1;
  return geometry.layerWeightBytes.map((bytes, layer) => bytes - geometry.layerExpertBytes[layer] * (1 - used));
}

/** The head one token reads: the output matrix, or the token embedding when the head reuses it (Llama 3.2, Gemma 3, small Qwen3). */
export function headBytes(geometry: ModelGeometry): number {
  return geometry.outputWeightBytes + (geometry.tiedOutput ? geometry.inputWeightBytes : 0);
}

export interface SpeedInputs {
  needs: MemoryNeeds;
  split: Split;
  /** What one token reads of each layer (`activeLayerBytes`) and of the head (`headBytes`). */
  activeLayers: number[];
  head: number;
  gpuGbPerSecond: number | null;
  cpuGbPerSecond: number;
}

/** Tokens per second at the bandwidth limit, with the context half full on average; null when the GPU's bandwidth is unknown. */
export function estimateDecodeSpeed({ needs, split, activeLayers, head, gpuGbPerSecond, cpuGbPerSecond }: SpeedInputs): number | null {
  const layers = activeLayers.length;
  // llama.cpp offloads the last layers first.
  const firstGpuLayer = layers - Math.min(split.gpuLayers, layers);
  let gpuBytes = split.gpuLayers === split.totalLayers ? head : 0;
  let cpuBytes = split.gpuLayers === split.totalLayers ? 0 : head;
  activeLayers.forEach((bytes, layer) => {
    const read = bytes + needs.layerKvCache[layer] / 2;
    if (layer >= firstGpuLayer) gpuBytes += read;
    else cpuBytes += read;
  });
  if (gpuBytes > 0 && !gpuGbPerSecond) return null;
  const seconds = (gpuBytes > 0 ? gpuBytes / (gpuGbPerSecond! * GB) : 0) + cpuBytes / (cpuGbPerSecond * GB);
  return seconds > 0 ? 1 / seconds : null;
}

/**
 * Bytes one decode step reads: the active repeating weights, the output head however it is stored
 * (tied to the embedding or not), and the F16 KV cache of `contextTokens` tokens (of the window, in a
 * sliding-window layer).
 */
export function bytesPerGeneratedToken(geometry: ModelGeometry, contextTokens: number): number {
  const weights = activeLayerBytes(geometry).reduce((sum, bytes) => sum + bytes, 0);
  const kvPerTokenPerLayer = geometry.kvHeads * (geometry.keyLength + geometry.valueLength) * 2;
  let kvTokens = 0;
  for (let layer = 0; layer < geometry.layers; layer++) {
    // A sliding-window layer attends to its window only (Gemma 3: five layers in six).
    kvTokens += isSlidingWindowLayer(geometry, layer) ? Math.min(contextTokens, geometry.slidingWindow!) : contextTokens;
  }
  return weights + headBytes(geometry) + kvPerTokenPerLayer * kvTokens;
}
