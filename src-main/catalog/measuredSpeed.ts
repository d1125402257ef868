import type { FitReport, SpeedFigure } from '../api';
import type { CatalogFile } from './catalog';
import type { ModelGeometry } from './geometry';

/** One decode speed this machine has measured (a `hearth bench` run on this device), for the recommender. */
export interface MeasuredSpeed {
  /** The model file's name in the models folder. */
  file: string;
  /** `shapeKey` of its header; null when the file is gone and its shape unknown. */
  shape: string | null;
  quantization: string | null;
  gpuLayers: number;
  threads: number;
  decodeTokensPerSecond: number;
  /** Measured decode ÷ the memory-bandwidth limit, in percent. */
  percentOfLimit: number;
  /** Bytes one generated token read in that run (weights and KV cache). */
  bytesPerToken: number;
}

/**
 * Below this many bytes a token, a model's decode is bound by per-token overhead and caches (an EPYC's
 * L3 alone holds 256 MB), not by memory bandwidth: its share of the limit says nothing about a real model
 * (stories260K, 1 MB, reaches a few percent of it).
 */
export const minBandwidthBoundBytes = 512e6;

/**
 * What decode speed depends on besides the quantization: two files with the same key and quantization
 * (a downloaded model and a real-shape test model, or one re-uploaded) read the same bytes per token.
 */
export function shapeKey(geometry: Pick<ModelGeometry, 'architecture' | 'layers' | 'embedding' | 'heads' | 'kvHeads' | 'vocab' | 'experts'>): string {
  return [geometry.architecture, geometry.layers, geometry.embedding, geometry.heads, geometry.kvHeads, geometry.vocab, geometry.experts ?? 0].join(':');
}

/**
 * The share of the bandwidth limit this device's benchmarks of bandwidth-bound models reached (their
 * median, kept within 0.2–1); null before any such benchmark. Decode never reaches the limit: the compute between reads and the cache
 * misses cost a machine-specific share, which one measurement tells better than any constant.
 */
export function limitShare(measured: readonly MeasuredSpeed[]): number | null {
  const shares = measured
    .filter((entry) => entry.bytesPerToken >= minBandwidthBoundBytes)
    .map((entry) => entry.percentOfLimit / 100)
    .filter((share) => Number.isFinite(share) && share > 0);
  if (shares.length === 0) return null;
  shares.sort((a, b) => a - b);
  const middle = Math.floor(shares.length / 2);
  const median = shares.length % 2 ? shares[middle] : (shares[middle - 1] + shares[middle]) / 2;
  return Math.min(1, Math.max(0.2, median));
}

export interface SpeedContext {
  measured: readonly MeasuredSpeed[];
  /** How the estimate was made, for `SpeedFigure.basis`. */
  estimateBasis: string;
}

/** The speed of one catalog file as placed by its fit: this machine's measurement of it (or of its shape), else the estimate. */
export function speedOf(file: CatalogFile, geometry: ModelGeometry, fit: FitReport, context: SpeedContext): SpeedFigure {
  const key = shapeKey(geometry);
  const match = context.measured.find(
    (entry) => entry.gpuLayers === fit.gpuLayers && (entry.file === file.file || (entry.shape === key && entry.quantization === file.quantization))
  );
  if (match) {
    const what = match.file === file.file ? match.file : `${match.file}, a model of the same shape and quantization`;
    return { tokensPerSecond: match.decodeTokensPerSecond, measured: true, basis: `measured on this machine by hearth bench (${what}, ${match.threads} threads)` };
  }
  return { tokensPerSecond: fit.decodeTokensPerSecond, measured: false, basis: fit.decodeTokensPerSecond === null ? 'unknown: this GPU is not in the bandwidth table' : context.estimateBasis };
}
