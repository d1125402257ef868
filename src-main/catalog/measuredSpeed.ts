import { median, type FitReport, type SpeedFigure } from '../api';
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
  /** Bytes one generated token read in that run (weights and KV cache). */
  bytesPerToken: number;
}

/**
 * Below this many bytes a token, a model's decode is bound by per-token overhead and caches (an EPYC's
 * L3 alone holds 256 MB), not by memory bandwidth: the bandwidth it seems to reach says nothing about a
 * real model (stories260K, 1 MB, reaches a few percent of the limit).
 */
export const minBandwidthBoundBytes = 512e6;

/**
 * What decode speed depends on besides the quantization: two files with the same key and quantization
 * (a downloaded model and a real-shape test model, or one re-uploaded) read the same bytes per token.
 */
export function shapeKey(geometry: Pick<ModelGeometry, 'architecture' | 'layers' | 'embedding' | 'heads' | 'kvHeads' | 'vocab' | 'experts'>): string {
  return [geometry.architecture, geometry.layers, geometry.embedding, geometry.heads, geometry.kvHeads, geometry.vocab, geometry.experts ?? 0].join(':');
}

/** Where the CPU bandwidth behind the estimates comes from, for `SpeedFigure.basis`. */
export interface CpuBandwidth {
  gbPerSecond: number;
  basis: string;
}

/** Used until `hearth bench` has measured this machine: dual-channel DDR4 sustains about this much. */
export const defaultCpuBandwidthGbPerSecond = 20;

/**
 * The CPU bandwidth estimates divide by, best source first: what decode itself reached in this device's
 * CPU benchmarks of bandwidth-bound models (the median of decode tok/s × bytes a token reads: it counts
 * what decode loses to compute and caches, which no constant can); else the highest the memory test
 * measured (a run with fewer threads than decode uses measures less); else 20 GB/s.
 */
export function cpuBandwidth(measured: readonly MeasuredSpeed[], memoryTestGbPerSecond?: number): CpuBandwidth {
  const reached = measured
    .filter((entry) => entry.gpuLayers === 0 && entry.bytesPerToken >= minBandwidthBoundBytes && entry.decodeTokensPerSecond > 0)
    .map((entry) => (entry.decodeTokensPerSecond * entry.bytesPerToken) / 1e9);
  const typical = median(reached);
  if (typical !== null) {
    const runs = reached.length === 1 ? 'one benchmark' : `${reached.length} benchmarks (median)`;
    return { gbPerSecond: typical, basis: `estimate: ${typical.toFixed(0)} GB/s, the memory bandwidth decode reached in ${runs} on this CPU, ÷ the bytes a token reads` };
  }
  if (memoryTestGbPerSecond) {
    return {
      gbPerSecond: memoryTestGbPerSecond,
      basis: `estimate: ${memoryTestGbPerSecond.toFixed(0)} GB/s measured on this CPU by hearth bench's memory test ÷ the bytes a token reads (decode reaches less; a benchmark of a model of 1B parameters or more calibrates it)`
    };
  }
  return { gbPerSecond: defaultCpuBandwidthGbPerSecond, basis: `estimate: ${defaultCpuBandwidthGbPerSecond} GB/s of CPU memory bandwidth assumed until hearth bench measures this machine, ÷ the bytes a token reads` };
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
