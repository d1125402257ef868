import type { HardwareReport, KvCacheTypeName, MemoryCalculation, WeightPrecision } from '../api';
import { computeBufferBytes, kvCacheBytesPerLayer } from './estimator';
import type { ModelGeometry } from './geometry';
import { fitReport } from './recommend';

/** Bytes per weight: INT8 and INT4 as llama.cpp stores them (Q8_0: 34 bytes per 32, Q4_0: 18 per 32), block scales included. */
export const bytesPerWeight: Record<WeightPrecision, number> = { fp32: 4, fp16: 2, bf16: 2, int8: 34 / 32, int4: 18 / 32 };

export interface CalculatorInput {
  parameters: number;
  precision: WeightPrecision;
  contextSize: number;
  kvCacheType?: KvCacheTypeName;
  architecture?: { layers: number; embedding: number; kvHeads: number; headDim: number; vocab: number };
}

/** Parameters × bytes per weight, and with the architecture the KV cache, buffers and the fit here. */
export function calculateMemory(input: CalculatorInput, hardware: HardwareReport): MemoryCalculation {
  const perWeight = bytesPerWeight[input.precision];
  const weightsBytes = input.parameters * perWeight;
  const a = input.architecture;
  if (!a) {
    return {
      bytesPerWeight: perWeight,
      weightsBytes,
      kvCacheBytes: null,
      computeBytes: null,
      fit: null,
      note: 'Weights only: give layers, embedding size, KV heads, head size and vocabulary for the context and buffers.'
    };
  }
  const embeddingBytes = a.vocab * a.embedding * perWeight;
  const geometry: ModelGeometry = {
    architecture: 'custom',
    parameters: input.parameters,
    layers: a.layers,
    embedding: a.embedding,
    heads: a.kvHeads,
    kvHeads: a.kvHeads,
    keyLength: a.headDim,
    valueLength: a.headDim,
    vocab: a.vocab,
    contextLength: input.contextSize,
    slidingWindow: null,
    slidingWindowPattern: null,
    experts: null,
    expertsUsed: null,
    feedForward: null,
    layerWeightBytes: new Array<number>(a.layers).fill(Math.max(0, weightsBytes - 2 * embeddingBytes) / a.layers),
    layerExpertBytes: new Array<number>(a.layers).fill(0),
    // A precision is not a file's mix of ggml types: no repacked copies are counted.
    layerMatrixBytesByType: Array.from({ length: a.layers }, () => ({})),
    inputType: null,
    outputMatrixBytesByType: {},
    inputWeightBytes: Math.min(embeddingBytes, weightsBytes / 2),
    outputWeightBytes: Math.min(embeddingBytes, weightsBytes / 2),
    tiedOutput: false,
    weightsExact: false
  };
  const options = { contextSize: input.contextSize, kvCacheType: input.kvCacheType ?? 'f16' };
  return {
    bytesPerWeight: perWeight,
    weightsBytes,
    kvCacheBytes: kvCacheBytesPerLayer(geometry, options).reduce((sum, bytes) => sum + bytes, 0),
    computeBytes: computeBufferBytes(geometry, options),
    fit: fitReport(`${(input.parameters / 1e9).toFixed(1)}B at ${input.precision.toUpperCase()}`, geometry, hardware, options).report,
    note: 'Estimated from the parameter count: the embedding and output head are assumed untied and at the same precision.'
  };
}
